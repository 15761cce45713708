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

/*
 * Picks among choice's candidates (the pool's eligible members) under the
 * decision lock: the least loaded from the pool's heap when index is set
 * and that one has room, else by the strategy among those with room
 * (room: where to copy them when some have a capacity, else NULL). Returns
 * the index into choice->candidates, which may now be room, or -1 when
 * nobody has room.
 */
static int
pick_with_room(const Strategy *strategy, StrategyChoice *choice, PoolIndex *index, Candidate *room,
			   int32 *least)
{
	if (index != NULL)
	{
		int			chosen = pool_index_least(index, least);

		/* The least loaded of all is the least loaded of those with room, if it has room. */
		if (room == NULL || capacity_has_room(&choice->candidates[chosen], choice->kind))
			return chosen;
	}
	if (room != NULL)
	{
		choice->count = capacity_keep_room(choice->candidates, choice->count, choice->kind, room);
		choice->candidates = room;
	}
	return choice->count > 0 ? strategy->pick(choice, least) : -1;
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
	Candidate  *room = NULL;
	Rotation   *rotation;
	int			eligible;
	int			chosen;
	int32		least = 0;
	int			effect = -1;
	bool		at_commit = false;

	candidate_query_init(&query, channel, &channel->targets, request->item,
						 channel->rule.only_available || request->live);
	choice.candidates = candidates_select(&query, &choice.count);
	decision->method = strategy->name;
	if (choice.count == 0)
	{
		decision->reason = explain_empty_pool(request, &channel->targets);
		return -1;
	}
	eligible = choice.count;
	if (strategy->rotates && channel->rotation == NULL)
		channel->rotation = shared_rotation(channel->channel_id);
	rotation = strategy->rotates ? channel->rotation : NULL;
	choice.rotation = rotation;
	index = uses_pool_index(strategy, &query)
		? candidates_index(&query, request->kind, strategy->all_kinds) : NULL;
	if (candidates_capped(&query))
		room = palloc(sizeof(Candidate) * choice.count);
	decision_lock();
	chosen = pick_with_room(strategy, &choice, index, room, &least);
	if (chosen >= 0)
		effect = capacity_count_choice(request, &choice.candidates[chosen], &decision->at, rotation,
									   &at_commit);
	decision_unlock();
	if (at_commit)
		counters_note_own_gain(effect);
	if (chosen < 0)
	{
		decision->reason = capacity_explain_full(eligible);
		return -1;
	}
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
	int			effect;

	memset(decision, 0, sizeof(*decision));
	decision->at = decision_clock();
	effect = call_is(request) ? call_route(request, decision) : route_by_rule(request, decision);
	if (!decision->assigned && !decision->customer_agent && request->channel->queue)
		decision->reason = psprintf("%s; waits in the channel's queue", decision->reason);
	return effect;
}
