/*
 * route.c: the routing decision for one item, by its channel's assign_to.
 *
 * A decision that gives the item to a user counts it on that user's load at
 * once, under the decision lock, in the same critical section that compared
 * the loads: concurrent inserts see each other's decisions, so the result is
 * as if the items had been routed one at a time.
 */
#include "hubroute.h"

static TimestampTz last_decision_at = 0;

/*
 * The time of a decision: now, but later than every decision this backend
 * made before, so that an item's id and assigned_at name one decision even
 * when the clock does not move between two rows of a statement.
 */
TimestampTz
decision_clock(void)
{
	TimestampTz now = GetCurrentTimestamp();

	last_decision_at = now > last_decision_at ? now : last_decision_at + 1;
	return last_decision_at;
}

/* Why no one in pool can have the item. */
static char *
explain_empty_pool(const RoutingRequest *request, Pool *pool)
{
	ChannelInfo *channel = request->channel;
	CandidateQuery ignoring_availability;
	int			unavailable;

	if (pool->size == 0)
		return pstrdup("the channel has no target users or primary team members");
	if (channel->rule.only_available || request->live)
	{
		candidate_query_init(&ignoring_availability, channel, pool, request->item, false);
		(void) candidates_select(&ignoring_availability, &unavailable);
		if (unavailable > 0)
			return psprintf("none of the %d users in the pool is available", pool->size);
	}
	return psprintf("none of the %d users in the pool is eligible"
					" (active, seat, ticket access, workspace teams, skills)", pool->size);
}

/*
 * Is the pool's heap (pool_index.c) the way to its least loaded member?
 * For a strategy that compares loads, unless the item requires skills (its
 * candidates are a subset) or this transaction has changes at commit its
 * own decisions must see.
 */
static bool
uses_pool_index(const Strategy *strategy, const CandidateQuery *query)
{
	return strategy->compares_loads && query->required_count == 0 && !counters_have_own_changes();
}

/* A users_and_teams rule: the pool, then the channel's distribution. */
static int
route_to_pool(const RoutingRequest *request, RoutingDecision *decision)
{
	ChannelInfo *channel = request->channel;
	const Strategy *strategy = channel->rule.distribution;
	CandidateQuery query;
	StrategyChoice choice = {.kind = request->kind};
	PoolIndex  *index;
	int			chosen;
	int32		least = 0;
	int			effect;

	candidate_query_init(&query, channel, &channel->targets, request->item,
						 channel->rule.only_available || request->live);
	choice.candidates = candidates_select(&query, &choice.count);
	decision->method = strategy->name;
	if (choice.count == 0)
	{
		decision->reason = explain_empty_pool(request, &channel->targets);
		return -1;
	}
	if (strategy->rotates && channel->rotation == NULL)
		channel->rotation = shared_rotation(channel->channel_id);
	choice.rotation = strategy->rotates ? channel->rotation : NULL;
	index = uses_pool_index(strategy, &query)
		? candidates_index(&query, request->kind, strategy->all_kinds) : NULL;
	decision_lock();
	chosen = index != NULL ? pool_index_least(index, &least) : strategy->pick(&choice, &least);
	effect = counters_gain_locked(request->kind, choice.candidates[chosen].load, 1, decision->at,
								  strategy->rotates ? channel->rotation : NULL);
	decision_unlock();
	decision->reason = strategy->reason(&choice, least);
	decision->assigned = true;
	decision->user_id = choice.candidates[chosen].user_id;
	return effect;
}

/*
 * Decides who gets the item (or why nobody does) by the channel's rule
 * alone; decision->at is set.
 */
int
route_by_rule(const RoutingRequest *request, RoutingDecision *decision)
{
	switch (request->channel->rule.assign_to)
	{
		case ASSIGN_NOBODY:
			decision->method = "nobody";
			decision->reason = pstrdup("the channel assigns to nobody");
			return -1;
		case ASSIGN_CUSTOMER_AGENT:
			decision->method = "customer_agent";
			decision->customer_agent = true;
			decision->reason = pstrdup("handled by the customer agent");
			return -1;
		case ASSIGN_CONTACT_OWNER:
			return strategy_contact_owner(request, decision);
		case ASSIGN_USERS_AND_TEAMS:
			return route_to_pool(request, decision);
	}
	pg_unreachable();
}

/*
 * Decides who gets the item (or why nobody does): a call by its channel's
 * hours (calls.c), anything else by the channel's rule. Returns the
 * counters.c handle of the count it added, or -1.
 */
int
route_item(const RoutingRequest *request, RoutingDecision *decision)
{
	memset(decision, 0, sizeof(*decision));
	decision->at = decision_clock();
	if (call_is(request))
		return call_route(request, decision);
	return route_by_rule(request, decision);
}
