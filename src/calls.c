/*
 * calls.c: a call is a conversation on a calling channel (SPEC §4), routed
 * by the channel's hours at its created_at (hours.c).
 *
 * During hours a customer_agent channel gives the call to the customer
 * agent, any other channel routes it by its rule among available humans
 * only (a call is taken now or not at all). After hours a customer_agent
 * channel still gives it to the customer agent; any other channel sends it
 * to voicemail. A call nobody takes stays open and unassigned, and gets the
 * channel's voicemail_message (during hours) or after_hours_message (after
 * hours) as an outgoing message, posted once its row is stored.
 */
#include "hubroute.h"

/* Is the item a call? */
bool
call_is(const RoutingRequest *request)
{
	return request->kind == ITEM_CONVERSATION && strcmp(request->channel->kind, "calling") == 0;
}

/* Is the channel open at the call's created_at (or at, without one)? */
static bool
call_in_hours(const ChannelInfo *channel, const ItemRow *item, TimestampTz at)
{
	return hours_open_at(channel, item->has_created_at ? item->created_at : at);
}

/*
 * The message a call nobody takes gets, palloc'd (NULL: none): the
 * channel's voicemail_message during its hours, after_hours_message after.
 */
char *
call_unanswered_message(const ChannelInfo *channel, const ItemRow *item, TimestampTz at)
{
	const char *message = call_in_hours(channel, item, at) ? channel->voicemail_message
		: channel->after_hours_message;

	return message != NULL ? pstrdup(message) : NULL;
}

/* The decision for a call (decision->at set); the counters.c handle of its count, or -1. */
int
call_route(const RoutingRequest *request, RoutingDecision *decision)
{
	const ChannelInfo *channel = request->channel;
	RoutingRequest live = *request;
	const ItemRow *item = request->item;
	bool		open = call_in_hours(channel, item, decision->at);
	int			effect;

	live.live = true;
	if (!open && channel->rule.assign_to != ASSIGN_CUSTOMER_AGENT)
	{
		decision->method = "voicemail";
		decision->reason = pstrdup("outside the channel's hours");
		decision->message = call_unanswered_message(channel, item, decision->at);
		return -1;
	}
	effect = route_by_rule(&live, decision);
	if (!decision->assigned && !decision->customer_agent)
		decision->message = call_unanswered_message(channel, item, decision->at);
	if (!open)
		decision->reason = psprintf("%s, outside the channel's hours", decision->reason);
	return effect;
}
