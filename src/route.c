/*
 * route.c: the routing decision for one item, by its channel's assign_to.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "utils/array.h"

/* Empty bigint[], or the item's required skills when the channel uses skills. */
Datum
route_required_skills(const RoutingRequest *request)
{
	if (request->rule->use_skills && request->item->required_skills != (Datum) 0)
		return request->item->required_skills;
	return PointerGetDatum(construct_empty_array(INT8OID));
}

/* Why no one in the channel's pool can have the item. */
static char *
explain_empty_pool(const RoutingRequest *request)
{
	const RoutingRule *rule = request->rule;
	int			pool = candidates_pool_size(rule->channel_id);
	CandidateQuery ignoring_availability = {
		.rule = rule,
		.required_skills = route_required_skills(request),
	};
	int			unavailable;

	if (pool == 0)
		return pstrdup("the channel has no target users or primary team members");
	if (rule->only_available)
	{
		pfree(candidates_select(&ignoring_availability, &unavailable));
		if (unavailable > 0)
			return psprintf("none of the %d users in the pool is available", pool);
	}
	return psprintf("none of the %d users in the pool is eligible"
					" (active, seat, ticket access, workspace teams, skills)", pool);
}

/* A users_and_teams rule: the pool, then the channel's distribution. */
static void
route_to_pool(const RoutingRequest *request, RoutingDecision *decision)
{
	const RoutingRule *rule = request->rule;
	Distribution distribution = rule->distribution;
	CandidateQuery query = {
		.rule = rule,
		.required_skills = route_required_skills(request),
		.honour_availability = rule->only_available,
		.lock_counters = distribution == DISTRIBUTION_BALANCED ||
		distribution == DISTRIBUTION_LEAST_BUSY,
	};
	int			count;
	Candidate  *candidates = candidates_select(&query, &count);
	int			chosen;

	decision->method = distribution_name(distribution);
	if (count == 0)
	{
		decision->reason = explain_empty_pool(request);
		return;
	}
	switch (distribution)
	{
		case DISTRIBUTION_BALANCED:
			chosen = strategy_balanced(candidates, count, request->kind);
			decision->reason = psprintf("fewest open %ss (%d) among %d eligible",
										item_kind_info(request->kind)->noun,
										request->kind == ITEM_TICKET
										? candidates[chosen].open_tickets
										: candidates[chosen].open_conversations, count);
			break;
		case DISTRIBUTION_LEAST_BUSY:
			chosen = strategy_least_busy(candidates, count, request->kind);
			decision->reason = psprintf("fewest open items (%d) among %d eligible",
										candidates[chosen].open_tickets +
										candidates[chosen].open_conversations, count);
			break;
		case DISTRIBUTION_RANDOM:
			chosen = strategy_random(count);
			decision->reason = psprintf("random pick among %d eligible", count);
			break;
		case DISTRIBUTION_ROUND_ROBIN:
			chosen = strategy_round_robin(rule->channel_id, candidates, count);
			decision->reason = psprintf("next in the channel's rotation of %d eligible", count);
			break;
		default:
			pg_unreachable();
	}
	decision->assigned = true;
	decision->user_id = candidates[chosen].user_id;
}

/* Decides who gets the item (or why nobody does), per the channel's rule. */
void
route_item(const RoutingRequest *request, RoutingDecision *decision)
{
	memset(decision, 0, sizeof(*decision));
	decision->at = GetCurrentTimestamp();
	switch (request->rule->assign_to)
	{
		case ASSIGN_NOBODY:
			decision->method = "nobody";
			decision->reason = pstrdup("the channel assigns to nobody");
			break;
		case ASSIGN_CUSTOMER_AGENT:
			decision->method = "customer_agent";
			decision->customer_agent = true;
			decision->reason = pstrdup("handled by the customer agent");
			break;
		case ASSIGN_CONTACT_OWNER:
			strategy_contact_owner(request, decision);
			break;
		case ASSIGN_USERS_AND_TEAMS:
			route_to_pool(request, decision);
			break;
	}
}
