/*
 * handoff.c: the customer agent hands a conversation to a human (SPEC §4).
 *
 * A handoff happens on hubroute.handoff(), on the caller's behalf (it locks
 * and updates the conversation as the caller, as route_conversation()
 * does), and on a visitor's message that asks for it (message_triggers.c),
 * as hubroute's own decision: the message's author may not change owners,
 * so that one runs as hubroute_logger (internal_sql.c).
 *
 * Only an open conversation the customer agent handles is handed off; one
 * handed off already is left as it is. handoff_process 'none' changes
 * nothing; 'live' gives it to the least busy available human among the
 * targets, 'async' to the least busy whether available or not. The targets
 * are hubroute.handoff_targets, eligible as for the conversation's channel;
 * a call's are its channel's own targets, a call is always handed off live,
 * and a call nobody takes gets its channel's voicemail or after-hours
 * message instead of message_unavailable. Then handled_by is 'human' (with no owner when nobody could take
 * it: it waits in Unassigned), the decision is logged with method handoff,
 * and the customer agent posts message_available or message_unavailable.
 * In workflow mode a ticket made from the conversation goes round robin
 * among the targets, one rotation per source channel (handoff_workflow()).
 */
#include "hubroute.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_handoff);

/*
 * The least busy eligible target for the conversation, counted at once
 * (the decision is filled in); the counters.c handle, or -1 for nobody.
 */
static int
handoff_decide(const RoutingRequest *request, Pool *pool, const char *why, RoutingDecision *decision)
{
	CandidateQuery query;
	const Candidate *candidates;
	Candidate  *room;
	int			count;
	int			eligible;
	int			chosen = 0;
	int32		least = 0;
	int			effect = -1;

	candidate_query_init(&query, request->channel, pool, request->item, request->live);
	candidates = candidates_select(&query, &count);
	decision->method = "handoff";
	if (count == 0)
	{
		decision->reason = psprintf("%s; no %shuman among %d targets", why,
									request->live ? "available " : "", pool->size);
		return -1;
	}
	eligible = count;
	room = palloc(sizeof(Candidate) * count);
	decision_lock();
	count = capacity_keep_room(candidates, count, ITEM_CONVERSATION, room);
	if (count > 0)
	{
		chosen = candidates_pick_least_loaded(room, count, ITEM_CONVERSATION, true, &least);
		counters_decision_time_locked(room[chosen].load, &decision->at);
		effect = counters_gain_locked(ITEM_CONVERSATION, room[chosen].load, 1, decision->at, NULL);
	}
	decision_unlock();
	if (count == 0)
	{
		decision->reason = psprintf("%s; %s", why, capacity_explain_full(eligible));
		return -1;
	}
	candidates = room;
	decision->assigned = true;
	decision->user_id = candidates[chosen].user_id;
	decision->reason = psprintf("%s; least busy (%d open items) of %d %stargets", why, least, count,
								request->live ? "available " : "");
	return effect;
}

/* A message of the customer agent's settings, copied out of the cache (NULL: none). */
static char *
copy_message(const char *message)
{
	return message != NULL ? pstrdup(message) : NULL;
}

/* The ticket a workflow handoff is inserting, for its BEFORE INSERT trigger. */
typedef struct WorkflowTicket
{
	int64		conversation_id;
	int64		channel_id;
	RoutingDecision decision;
	int			effect;			/* the count its decision added, or -1 */
	bool		taken;
} WorkflowTicket;

static WorkflowTicket *workflow_ticket = NULL;
static SPIPlanPtr workflow_insert_plan;

/*
 * Is row the ticket a workflow handoff is inserting right now? Then
 * *decision and *effect are its decision, taken once (item_triggers.c).
 */
bool
handoff_workflow_decision(const ItemRow *row, RoutingDecision *decision, int *effect)
{
	if (workflow_ticket == NULL || workflow_ticket->taken || !row->has_conversation ||
		row->conversation_id != workflow_ticket->conversation_id ||
		row->channel_id != workflow_ticket->channel_id || row->has_owner || row->has_assigned_at)
		return false;
	*decision = workflow_ticket->decision;
	decision->reason = pstrdup(workflow_ticket->decision.reason);
	*effect = workflow_ticket->effect;
	workflow_ticket->taken = true;
	return true;
}

/*
 * The next target of the source channel's workflow rotation, eligible for
 * a ticket on the workflow channel, counted at once on both the ticket and
 * the conversation: fills ticket and conversation (the same owner, or
 * nobody); returns the ticket's count handle and sets *conversation_effect.
 */
static int
workflow_decide(ChannelInfo *desk, int64 source_channel_id, bool live, const char *why,
				RoutingDecision *ticket, RoutingDecision *conversation, int *conversation_effect)
{
	CandidateQuery query;
	StrategyChoice choice = {.kind = ITEM_TICKET};
	Rotation   *rotation = shared_rotation(-source_channel_id);	/* one per source channel */
	Candidate  *room;
	int			eligible;
	int			chosen = 0;
	int32		least = 0;
	int			effect = -1;

	*conversation_effect = -1;
	ticket->method = conversation->method = "handoff";
	candidate_query_init(&query, desk, &desk->handoff, NULL, live);
	choice.candidates = candidates_select(&query, &choice.count);
	choice.rotation = rotation;
	if (choice.count == 0)
	{
		ticket->reason = psprintf("%s; workflow: no %shuman among %d targets", why,
								  live ? "available " : "", desk->handoff.size);
		conversation->reason = pstrdup(ticket->reason);
		return -1;
	}
	room = palloc(sizeof(Candidate) * choice.count);
	eligible = choice.count;
	decision_lock();
	/* The same user gets the ticket and the conversation: room for both. */
	choice.count = capacity_keep_room(choice.candidates, choice.count, ITEM_TICKET, room);
	choice.count = capacity_keep_room(room, choice.count, ITEM_CONVERSATION, room);
	choice.candidates = room;
	if (choice.count > 0)
	{
		chosen = strategy_round_robin.pick(&choice, &least);
		counters_decision_time_locked(choice.candidates[chosen].load, &ticket->at);
		effect = counters_gain_locked(ITEM_TICKET, choice.candidates[chosen].load, 1, ticket->at, rotation);
		counters_decision_time_locked(choice.candidates[chosen].load, &conversation->at);
		*conversation_effect = counters_gain_locked(ITEM_CONVERSATION, choice.candidates[chosen].load, 1,
													conversation->at, NULL);
	}
	decision_unlock();
	if (choice.count == 0)
	{
		ticket->reason = psprintf("%s; workflow: %s", why, capacity_explain_full(eligible));
		conversation->reason = pstrdup(ticket->reason);
		return -1;
	}
	ticket->assigned = conversation->assigned = true;
	ticket->user_id = conversation->user_id = choice.candidates[chosen].user_id;
	ticket->reason = psprintf("%s; workflow: next in channel %lld's rotation of %d %stargets", why,
							  (long long) source_channel_id, choice.count, live ? "available " : "");
	conversation->reason = pstrdup(ticket->reason);
	return effect;
}

/* Inserts the workflow's ticket on desk for the conversation, as hubroute_logger. */
static void
workflow_insert_ticket(int64 desk_channel_id, int64 conversation_id)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(desk_channel_id), Int64GetDatum(conversation_id)};
	InternalSql internal;

	internal_sql_begin(&internal, INTERNAL_LOGGER);
	spi_run(spi_plan(&workflow_insert_plan,
					 "INSERT INTO hubroute.tickets (channel_id, contact_id, subject, conversation_id)"
					 " SELECT $1, c.contact_id, c.subject, c.id FROM hubroute.conversations c"
					 " WHERE c.id" EQ "$2", 2, argtypes),
			values, NULL, false, 0);
	internal_sql_end(&internal);
}

/*
 * workflow mode: a ticket on the workflow channel, made from the
 * conversation, goes to the next target of the source channel's rotation,
 * and so does the conversation. When nobody can have it, the conversation
 * waits in Unassigned, or is closed (live, close_if_unassigned), and the
 * customer agent posts message_unassigned. Returns the owner.
 */
static int64
handoff_workflow(const ItemRow *row, const CustomerAgentSettings *settings, const char *why,
				 bool as_hubroute, bool *has_owner)
{
	ChannelInfo *desk = settings->has_workflow_channel ? cache_channel(settings->workflow_channel_id) : NULL;
	bool		live = settings->process == HANDOFF_LIVE;
	WorkflowTicket ticket = {.conversation_id = row->id,.channel_id = settings->workflow_channel_id};
	RoutingDecision conversation;
	int			conversation_effect;
	bool		close = live && settings->close_if_unassigned;
	char	   *message;

	/* Validation keeps this from happening, unless it was bypassed or the channel moved since. */
	if (desk == NULL || strcmp(desk->workspace_kind, "helpdesk") != 0)
	{
		if (as_hubroute)
			return 0;			/* a visitor's message never fails for it */
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the workflow handoff needs a help-desk channel in hubroute.customer_agent.workflow_channel_id"),
				 errhint("Set workflow_channel_id to a help-desk channel, or handoff_mode to 'same_targets'.")));
	}
	lock_reference(REFERENCE_CHANNEL, desk->channel_id);
	memset(&conversation, 0, sizeof(conversation));
	ticket.decision.at = decision_clock();
	conversation.at = decision_clock();
	ticket.effect = workflow_decide(desk, row->channel_id, live, why, &ticket.decision, &conversation,
									&conversation_effect);
	/* copied now: the ticket's insert may build the cached configuration again */
	message = copy_message(conversation.assigned ? settings->message_available : settings->message_unassigned);
	workflow_ticket = &ticket;
	PG_TRY();
	{
		workflow_insert_ticket(ticket.channel_id, row->id);
	}
	PG_FINALLY();
	{
		workflow_ticket = NULL;
	}
	PG_END_TRY();
	if (!ticket.taken && ticket.effect >= 0)
		counters_cancel(ticket.effect); /* a trigger of the DBA's kept the row out */
	if (!assign_handoff(row->id, &conversation, conversation_effect, close && !conversation.assigned,
						as_hubroute))
		return 0;
	decision_log(ITEM_CONVERSATION, row->id, row->channel_id, &conversation);
	if (message != NULL)
		decision_post_message(ITEM_CONVERSATION, row->id, message);
	*has_owner = conversation.assigned;
	return conversation.user_id;
}

/*
 * Hands the conversation to a human, for why; as the caller, or as
 * hubroute's own decision (as_hubroute: then a conversation that is gone,
 * closed or not the customer agent's is left alone). Returns the owner
 * (*has_owner false: none).
 */
int64
handoff_conversation(int64 conversation_id, const char *why, bool as_hubroute, bool *has_owner)
{
	const CustomerAgentSettings *settings;
	RoutingRequest request = {.kind = ITEM_CONVERSATION};
	RoutingDecision decision;
	ItemRow		row;
	int			effect;
	bool		call;
	char	   *message;

	*has_owner = false;
	counters_ready();
	if (!assign_lock_for_handoff(conversation_id, as_hubroute, &row))
	{
		if (as_hubroute)
			return 0;
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("conversation %lld does not exist", (long long) conversation_id)));
	}
	if (!row.open)
	{
		if (as_hubroute)
			return 0;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("conversation %lld is closed", (long long) conversation_id),
				 errhint("Only an open conversation is handed off; reopen it with status = 'open' first.")));
	}
	*has_owner = row.has_owner;
	if (!row.customer_agent)
		return row.owner_id;	/* humans have it already */
	lock_reference(REFERENCE_CHANNEL, row.channel_id);
	cache_refresh();
	settings = cache_customer_agent();
	request.item = &row;
	request.channel = integrity_item_channel(row.channel_id, ITEM_CONVERSATION);
	call = call_is(&request);
	request.live = call || settings->process == HANDOFF_LIVE;
	if (settings->process == HANDOFF_NONE && !call)
		return 0;				/* the customer agent keeps it */
	if (settings->workflow && !call)
		return handoff_workflow(&row, settings, why, as_hubroute, has_owner);
	memset(&decision, 0, sizeof(decision));
	decision.at = decision_clock();
	effect = handoff_decide(&request, call ? &request.channel->targets : &request.channel->handoff,
							why, &decision);

	/*
	 * The message is copied now: the UPDATE's triggers may build the cached
	 * configuration again. A call nobody takes gets its channel's voicemail
	 * or after-hours message instead of message_unavailable.
	 */
	message = decision.assigned ? copy_message(settings->message_available)
		: call ? call_unanswered_message(request.channel, &row, decision.at)
		: copy_message(settings->message_unavailable);
	if (!assign_handoff(conversation_id, &decision, effect, false, as_hubroute))
		return 0;
	decision_log(ITEM_CONVERSATION, conversation_id, row.channel_id, &decision);
	if (message != NULL)
		decision_post_message(ITEM_CONVERSATION, conversation_id, message);
	*has_owner = decision.assigned;
	return decision.user_id;
}

/* hubroute.handoff(conversation_id bigint, reason text) returns bigint */
Datum
hubroute_handoff(PG_FUNCTION_ARGS)
{
	int64		conversation_id;
	const char *why;
	int64		owner;
	bool		has_owner;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	conversation_id = PG_GETARG_INT64(0);
	why = PG_ARGISNULL(1) ? "handed off by hubroute.handoff()" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	owner = handoff_conversation(conversation_id, why, false, &has_owner);
	if (!has_owner)
		PG_RETURN_NULL();
	PG_RETURN_INT64(owner);
}
