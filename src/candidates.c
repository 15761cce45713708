/*
 * candidates.c: who may get an item.
 *
 * A user is eligible when it is active, has the seat the workspace needs
 * (inbox: sales or service; help desk: service), has ticket access in a help
 * desk, belongs to one of the workspace's teams when the workspace is
 * restricted, is available when the rule honours availability, and has every
 * required skill when the channel uses skills. Candidates come from a pool
 * (the users of target rows, cache.c: for a users_and_teams rule, the
 * channel's target users plus the primary members of its target teams) and
 * are eligible in the context of the channel whose item is routed.
 * Everything comes from the configuration cache; only the loads are shared,
 * and are read under the decision lock.
 */
#include "hubroute.h"

/* Is id in the ascending array ids? */
static bool
ids_contain(const int64 *ids, int count, int64 id)
{
	int			low = 0,
				high = count - 1;

	while (low <= high)
	{
		int			middle = low + (high - low) / 2;

		if (ids[middle] == id)
			return true;
		if (ids[middle] < id)
			low = middle + 1;
		else
			high = middle - 1;
	}
	return false;
}

/* Do the ascending arrays a and b share an id? */
static bool
ids_intersect(const int64 *a, int a_count, const int64 *b, int b_count)
{
	int			i = 0,
				j = 0;

	while (i < a_count && j < b_count)
	{
		if (a[i] == b[j])
			return true;
		if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return false;
}

/*
 * A query for pool's members (NULL: one given user) for an item of channel;
 * the item's skills count when the channel uses skills.
 */
void
candidate_query_init(CandidateQuery *query, ChannelInfo *channel, Pool *pool, const ItemRow *item,
					 bool honour_availability)
{
	memset(query, 0, sizeof(*query));
	query->channel = channel;
	query->pool = pool;
	query->honour_availability = honour_availability;
	if (!channel->rule.use_skills || item == NULL)
		return;
	query->required_count = item->skill_count;
	query->required_skills = item->skills;
}

/*
 * May user own items of the channel's workspace? In a workspace restricted
 * to teams, only members (primary or additional) of those teams may.
 */
bool
workspace_allows_user(const ChannelInfo *channel, const UserInfo *user)
{
	return !channel->rule.restricted ||
		ids_intersect(user->teams, user->team_count,
					  channel->workspace_teams, channel->workspace_team_count);
}

/* May team_id own items of the channel's workspace? Only one of its teams may. */
bool
workspace_allows_team(const ChannelInfo *channel, int64 team_id)
{
	return !channel->rule.restricted ||
		ids_contain(channel->workspace_teams, channel->workspace_team_count, team_id);
}

/* Has user a capacity for either kind of item? */
static inline bool
user_has_capacity(const UserInfo *user)
{
	return user->capacity[ITEM_TICKET] >= 0 || user->capacity[ITEM_CONVERSATION] >= 0;
}

/* Is user eligible under query (see the top of this file)? */
bool
user_eligible(const CandidateQuery *query, const UserInfo *user)
{
	const RoutingRule *rule = &query->channel->rule;

	if (!user->active)
		return false;
	if (user->seat != SEAT_SERVICE && !(rule->inbox && user->seat == SEAT_SALES))
		return false;
	if (!rule->inbox && !user->ticket_access)
		return false;
	if (query->honour_availability && !user->available)
		return false;
	if (!workspace_allows_user(query->channel, user))
		return false;
	for (int i = 0; i < query->required_count; i++)
		if (!ids_contain(user->skills, user->skill_count, query->required_skills[i]))
			return false;
	return true;
}

/*
 * Fills candidates with the eligible members of the query's pool; returns
 * how many, and in *capped whether any of them has a capacity.
 */
static int
pool_filter(const CandidateQuery *query, Candidate *candidates, bool *capped)
{
	const Pool *pool = query->pool;
	int			count = 0;

	*capped = false;

	for (int i = 0; i < pool->size; i++)
	{
		const UserInfo *user = pool->members[i];

		if (!user_eligible(query, user))
			continue;
		candidates[count].user_id = user->user_id;
		candidates[count].load = user->load;
		candidates[count].capacity = user->capacity;
		*capped |= user_has_capacity(user);
		count++;
	}
	return count;
}

/*
 * The eligible members of the query's pool, in user id order, for reading
 * only. Without required skills the answer depends on the configuration
 * only, so the pool keeps it (worked out again when availability changes,
 * cache.c); with skills it is a palloc'd array.
 */
const Candidate *
candidates_select(const CandidateQuery *query, int *count)
{
	Pool	   *pool = query->pool;
	int			honour = query->honour_availability ? 1 : 0;
	Candidate  *candidates;
	bool		capped;

	if (query->required_count > 0)
	{
		candidates = palloc(sizeof(Candidate) * Max(pool->size, 1));
		*count = pool_filter(query, candidates, &capped);
		return candidates;
	}
	if (!pool->eligible_valid[honour])
	{
		if (pool->eligible[honour] == NULL)
			pool->eligible[honour] = cache_alloc(sizeof(Candidate) * Max(pool->size, 1));
		pool->eligible_count[honour] = pool_filter(query, pool->eligible[honour],
												   &pool->eligible_capped[honour]);
		pool->eligible_valid[honour] = true;
		if (pool->index[honour] != NULL)
			pool_index_reset(pool->index[honour], pool->eligible[honour], pool->eligible_count[honour]);
	}
	*count = pool->eligible_count[honour];
	return pool->eligible[honour];
}

/* A candidate's load as a strategy compares it: its items of kind, or of both kinds. */
static inline int32
load_of(const int32 open[2], ItemKind kind, bool all_kinds)
{
	return all_kinds ? open[ITEM_TICKET] + open[ITEM_CONVERSATION] : open[kind];
}

/*
 * Index of the candidate with the least load (open items of kind, or of
 * both kinds), in one pass over the loads as this transaction sees them
 * (the caller holds the decision lock); ties go to the least recently
 * assigned, then to the lowest user id (candidates come ordered by id).
 * *least is its load. The pass reads the shared slots directly, prefetching
 * ahead: in a pool of thousands it is most of a decision's time.
 */
int
candidates_pick_least_loaded(const Candidate *candidates, int count, ItemKind kind, bool all_kinds,
							 int32 *least)
{
	int			best = 0;
	int32		best_load = PG_INT32_MAX;
	TimestampTz best_at = DT_NOEND;
	bool		own = counters_have_own_changes();

	for (int i = 0; i < count; i++)
	{
		const UserLoad *slot = candidates[i].load;
		int32		open[2] = {slot->open[ITEM_TICKET], slot->open[ITEM_CONVERSATION]};
		TimestampTz at = slot->last_assigned_at;
		int32		this_load;

		if (i + 8 < count)
			__builtin_prefetch(candidates[i + 8].load);
		if (own)
			counters_read(slot, open, &at);
		this_load = load_of(open, kind, all_kinds);
		if (this_load < best_load || (this_load == best_load && at < best_at))
		{
			best = i;
			best_load = this_load;
			best_at = at;
		}
	}
	*least = best_load;
	return best;
}

/*
 * The heap of the query's pool's eligible members (no skills required),
 * kept with the pool; loads of kind, or of both kinds for least busy.
 */
PoolIndex *
candidates_index(const CandidateQuery *query, ItemKind kind, bool all_kinds)
{
	Pool	   *pool = query->pool;
	int			honour = query->honour_availability ? 1 : 0;
	int			count;
	const Candidate *candidates = candidates_select(query, &count);

	Assert(query->required_count == 0);
	if (pool->index[honour] == NULL)
	{
		pool->index[honour] = pool_index_create(candidates, pool->size, kind, all_kinds);
		pool_index_reset(pool->index[honour], candidates, count);
	}
	return pool->index[honour];
}

/*
 * May some of the query's eligible members be at capacity? (Without required
 * skills the pool knows; with them, the answer is yes unless no member of
 * the pool has a capacity.)
 */
bool
candidates_capped(const CandidateQuery *query)
{
	const Pool *pool = query->pool;
	int			honour = query->honour_availability ? 1 : 0;

	if (query->required_count == 0 && pool->eligible_valid[honour])
		return pool->eligible_capped[honour];
	for (int i = 0; i < pool->size; i++)
		if (user_has_capacity(pool->members[i]))
			return true;
	return false;
}
