/*
 * strategy_contact_owner.c: the item goes to the owner of its contact.
 *
 * The contact must have an owner and be tracked. An eligible owner gets the
 * item even when not available, and is then sent an owner_offline
 * notification. With no owner, an untracked contact, or an owner who is not
 * eligible for another reason than availability, the channel's fallback user
 * gets it when set and eligible (honouring only_available); otherwise the
 * item stays unassigned.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"

static SPIPlanPtr contact_plan;

/* user_id as a candidate when eligible, else NULL; availability honoured as asked. */
static Candidate *
eligible_user(const RoutingRequest *request, int64 user_id, bool honour_availability)
{
	CandidateQuery query = {
		.rule = request->rule,
		.required_skills = route_required_skills(request),
		.honour_availability = honour_availability,
		.single_user = true,
		.single_user_id = user_id,
	};
	int			count;
	Candidate  *candidates = candidates_select(&query, &count);

	return count == 1 ? &candidates[0] : NULL;
}

/*
 * Tries the contact's owner. Returns NULL on success, else why the owner
 * cannot have the item.
 */
static char *
try_owner(const RoutingRequest *request, RoutingDecision *decision)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];
	int64		contact_id = request->item->contact_id;
	int64		owner_id;
	bool		no_owner;
	bool		isnull;
	Candidate  *owner;

	if (!request->item->has_contact)
		return pstrdup("the item has no contact");
	values[0] = Int64GetDatum(contact_id);
	if (spi_run(spi_plan(&contact_plan,
						 "SELECT c.owner_id, c.tracked FROM hubroute.contacts c"
						 " WHERE c.id" EQ "$1", 1, argtypes),
				values, NULL, false, 1) != 1)
		return psprintf("contact %lld does not exist", (long long) contact_id);
	owner_id = spi_get_int64(0, 1, &no_owner);
	if (no_owner)
		return psprintf("contact %lld has no owner", (long long) contact_id);
	if (!DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)))
		return psprintf("contact %lld is not tracked", (long long) contact_id);
	owner = eligible_user(request, owner_id, false);
	if (owner == NULL)
		return psprintf("owner %lld of contact %lld is not eligible",
						(long long) owner_id, (long long) contact_id);
	decision->assigned = true;
	decision->user_id = owner_id;
	decision->notify_owner_offline = !owner->available;
	decision->reason = owner->available
		? psprintf("owner of contact %lld", (long long) contact_id)
		: psprintf("owner of contact %lld, not available: notified", (long long) contact_id);
	return NULL;
}

/* Routes to the contact's owner, else to the fallback user, else nobody. */
void
strategy_contact_owner(const RoutingRequest *request, RoutingDecision *decision)
{
	const RoutingRule *rule = request->rule;
	char	   *why = try_owner(request, decision);

	decision->method = "contact_owner";
	if (why == NULL)
		return;
	if (!rule->has_fallback)
	{
		decision->reason = psprintf("%s; the channel has no fallback user", why);
		return;
	}
	if (eligible_user(request, rule->fallback_user_id, rule->only_available) == NULL)
	{
		decision->reason = psprintf("%s; fallback user %lld is not eligible%s", why,
									(long long) rule->fallback_user_id,
									rule->only_available ? " or not available" : "");
		return;
	}
	decision->assigned = true;
	decision->user_id = rule->fallback_user_id;
	decision->method = "fallback";
	decision->reason = psprintf("%s; fallback user", why);
}
