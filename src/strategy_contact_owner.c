/*
 * strategy_contact_owner.c: the item goes to the owner of its contact.
 *
 * The contact must have an owner and be tracked. An eligible owner gets the
 * item even when not available, and is then sent an owner_offline
 * notification. With no owner, an untracked contact, or an owner who is not
 * eligible for another reason than availability (at capacity, too), the
 * channel's fallback user gets it when set, eligible (honouring
 * only_available) and under capacity; otherwise the item stays unassigned.
 */
#include "hubroute.h"

/* user_id when eligible for the item, else NULL; availability honoured as asked. */
static UserInfo *
eligible_user(const RoutingRequest *request, int64 user_id, bool honour_availability)
{
	UserInfo   *user = cache_user(user_id);
	CandidateQuery query;

	candidate_query_init(&query, request->channel, NULL, request->item, honour_availability);
	return user != NULL && user_eligible(&query, user) ? user : NULL;
}

/*
 * Tries the contact's owner: sets *chosen and the decision, or returns why
 * the owner cannot have the item.
 */
static char *
try_owner(const RoutingRequest *request, RoutingDecision *decision, UserInfo **chosen)
{
	int64		contact_id = request->item->contact_id;
	ContactInfo contact;

	if (!request->item->has_contact)
		return pstrdup("the item has no contact");
	integrity_read_contact(contact_id, &contact);
	if (!contact.exists)
		integrity_missing_reference(request->kind, REFERENCE_CONTACT, contact_id);
	if (!contact.has_owner)
		return psprintf("contact %lld has no owner", (long long) contact_id);
	if (!contact.tracked)
		return psprintf("contact %lld is not tracked", (long long) contact_id);
	*chosen = eligible_user(request, contact.owner_id, request->live);
	if (*chosen == NULL)
		return psprintf("owner %lld of contact %lld is not eligible%s",
						(long long) contact.owner_id, (long long) contact_id,
						request->live ? " or not available to take a call" : "");
	decision->notify_owner_offline = !(*chosen)->available;
	decision->reason = (*chosen)->available
		? psprintf("owner of contact %lld", (long long) contact_id)
		: psprintf("owner of contact %lld, not available: notified", (long long) contact_id);
	return NULL;
}

/* Why the fallback user cannot have the item, or NULL when it can (*chosen set). */
static char *
try_fallback(const RoutingRequest *request, const char *why, UserInfo **chosen)
{
	const RoutingRule *rule = &request->channel->rule;

	if (!rule->has_fallback)
		return psprintf("%s; the channel has no fallback user", why);
	*chosen = eligible_user(request, rule->fallback_user_id, rule->only_available || request->live);
	if (*chosen == NULL)
		return psprintf("%s; fallback user %lld is not eligible%s", why,
						(long long) rule->fallback_user_id,
						rule->only_available || request->live ? " or not available" : "");
	return NULL;
}

/*
 * Routes to the contact's owner, else to the fallback user, else nobody;
 * each only with room (capacity.c). Returns the handle of the count it
 * added, or -1.
 */
int
strategy_contact_owner(const RoutingRequest *request, RoutingDecision *decision)
{
	UserInfo   *chosen = NULL;
	char	   *why = try_owner(request, decision, &chosen);
	bool		full;
	int			effect;

	decision->method = "contact_owner";
	if (why == NULL)
	{
		effect = capacity_give_to(request, chosen, decision, &full);
		if (!full)
			return effect;
		why = psprintf("owner %lld of contact %lld is at capacity", (long long) chosen->user_id,
					   (long long) request->item->contact_id);
		decision->notify_owner_offline = false;
	}
	decision->reason = try_fallback(request, why, &chosen);
	if (decision->reason != NULL)
		return -1;
	effect = capacity_give_to(request, chosen, decision, &full);
	if (!full)
		decision->method = "fallback";
	decision->reason = full ? psprintf("%s; fallback user %lld is at capacity", why, (long long) chosen->user_id)
		: psprintf("%s; fallback user", why);
	return effect;
}
