/*
 * candidates.c: who may get an item.
 *
 * A user is eligible when it is active, has the seat the workspace needs
 * (inbox: sales or service; help desk: service), has ticket access in a help
 * desk, belongs to one of the workspace's teams when the workspace is
 * restricted, is available when the rule honours availability, and has every
 * required skill when the channel uses skills. The pool of a users_and_teams
 * rule is the channel's target users plus the primary members of its target
 * teams.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "utils/array.h"

/* Four plans: pool or one user, with or without locking the counters. */
static SPIPlanPtr candidate_plans[2][2];
static SPIPlanPtr pool_size_plan;
static SPIPlanPtr allows_user_plan;
static SPIPlanPtr allows_team_plan;

#define POOL_SQL \
	"SELECT t.user_id FROM hubroute.channel_targets t" \
	" WHERE t.channel_id" EQ "$1 AND t.user_id IS NOT NULL" \
	" UNION " \
	"SELECT m.user_id FROM hubroute.channel_targets t" \
	"  JOIN hubroute.team_members m ON m.team_id" EQ "t.team_id AND m.is_primary" \
	" WHERE t.channel_id" EQ "$1"

/*
 * $1 channel (or user) id, $2 inbox, $3 honour availability, $4 restricted,
 * $5 workspace id, $6 required skills.
 */
#define ELIGIBLE_SQL \
	"SELECT u.id, u.available, c.open_tickets, c.open_conversations, c.last_assigned_at" \
	"  FROM hubroute.users u" \
	"  JOIN hubroute.user_counters c ON c.user_id" EQ "u.id" \
	" WHERE u.active" \
	"   AND (u.seat" EQ "'service' OR ($2 AND u.seat" EQ "'sales'))" \
	"   AND ($2 OR u.ticket_access)" \
	"   AND (NOT $3 OR u.available)" \
	"   AND (NOT $4 OR EXISTS (SELECT 1 FROM hubroute.workspace_teams wt" \
	"          JOIN hubroute.team_members m ON m.team_id" EQ "wt.team_id" \
	"         WHERE wt.workspace_id" EQ "$5 AND m.user_id" EQ "u.id))" \
	"   AND (pg_catalog.cardinality($6)" EQ "0 OR $6 OPERATOR(pg_catalog.<@) ARRAY(" \
	"          SELECT s.skill_id FROM hubroute.user_skills s WHERE s.user_id" EQ "u.id))"

static const char *const candidate_sql[2][2] = {
	/* [single_user][lock_counters] */
	{
		ELIGIBLE_SQL " AND u.id IN (" POOL_SQL ") ORDER BY u.id",
		ELIGIBLE_SQL " AND u.id IN (" POOL_SQL ") ORDER BY u.id FOR UPDATE OF c",
	},
	{
		ELIGIBLE_SQL " AND u.id" EQ "$1",
		ELIGIBLE_SQL " AND u.id" EQ "$1 FOR UPDATE OF c",
	},
};

/* Reads the candidates of the last SPI result into palloc'd memory. */
static Candidate *
candidates_from_result(int count)
{
	Candidate  *candidates = palloc(sizeof(Candidate) * Max(count, 1));

	for (int i = 0; i < count; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		last;

		candidates[i].user_id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
		candidates[i].available = DatumGetBool(SPI_getbinval(tuple, desc, 2, &isnull));
		candidates[i].open_tickets = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &isnull));
		candidates[i].open_conversations = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &isnull));
		last = SPI_getbinval(tuple, desc, 5, &isnull);
		candidates[i].last_assigned_at = isnull ? DT_NOBEGIN : DatumGetTimestampTz(last);
	}
	return candidates;
}

/*
 * The eligible users of query, ordered by user id, with their load
 * (including this transaction's items not yet counted). With lock_counters
 * their counter rows are locked FOR UPDATE in user id order: the global lock
 * order that keeps routing transactions from deadlocking with each other.
 */
Candidate *
candidates_select(const CandidateQuery *query, int *count)
{
	Oid			argtypes[6] = {INT8OID, BOOLOID, BOOLOID, BOOLOID, INT8OID, INT8ARRAYOID};
	Datum		values[6];
	const RoutingRule *rule = query->rule;
	SPIPlanPtr *cache = &candidate_plans[query->single_user][query->lock_counters];
	Candidate  *candidates;

	values[0] = Int64GetDatum(query->single_user ? query->single_user_id : rule->channel_id);
	values[1] = BoolGetDatum(rule->inbox);
	values[2] = BoolGetDatum(query->honour_availability);
	values[3] = BoolGetDatum(rule->restricted);
	values[4] = Int64GetDatum(rule->workspace_id);
	values[5] = query->required_skills;
	*count = spi_run(spi_plan(cache, candidate_sql[query->single_user][query->lock_counters],
							  6, argtypes),
					 values, NULL, false, 0);
	candidates = candidates_from_result(*count);
	pending_overlay(candidates, *count);
	return candidates;
}

/* The number of users in a channel's pool, eligible or not. */
int
candidates_pool_size(int64 channel_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(channel_id)};

	return spi_run(spi_plan(&pool_size_plan, POOL_SQL, 1, argtypes), values, NULL, true, 0);
}

/*
 * Index of the candidate with the least load; ties go to the least recently
 * assigned, then to the lowest user id (candidates come ordered by id).
 */
int
candidates_pick_least_loaded(const Candidate *candidates, int count,
							 int32 (*load) (const Candidate *, ItemKind), ItemKind kind)
{
	int			best = 0;

	for (int i = 1; i < count; i++)
	{
		int32		this_load = load(&candidates[i], kind);
		int32		best_load = load(&candidates[best], kind);

		if (this_load < best_load ||
			(this_load == best_load &&
			 candidates[i].last_assigned_at < candidates[best].last_assigned_at))
			best = i;
	}
	return best;
}

/* Runs a (workspace id, other id) → bool check. */
static bool
workspace_check(SPIPlanPtr *cache, const char *sql, int64 workspace_id, int64 other_id)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(workspace_id), Int64GetDatum(other_id)};
	bool		isnull;

	spi_run(spi_plan(cache, sql, 2, argtypes), values, NULL, true, 1);
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * May user_id own items of the rule's workspace? In a workspace restricted
 * to teams, only members (primary or additional) of those teams may.
 */
bool
workspace_allows_user(const RoutingRule *rule, int64 user_id)
{
	if (!rule->restricted)
		return true;
	return workspace_check(&allows_user_plan,
						   "SELECT EXISTS (SELECT 1 FROM hubroute.workspace_teams wt"
						   "  JOIN hubroute.team_members m ON m.team_id" EQ "wt.team_id"
						   " WHERE wt.workspace_id" EQ "$1 AND m.user_id" EQ "$2)",
						   rule->workspace_id, user_id);
}

/* May team_id own items of the rule's workspace? Only one of its teams may. */
bool
workspace_allows_team(const RoutingRule *rule, int64 team_id)
{
	if (!rule->restricted)
		return true;
	return workspace_check(&allows_team_plan,
						   "SELECT EXISTS (SELECT 1 FROM hubroute.workspace_teams wt"
						   " WHERE wt.workspace_id" EQ "$1 AND wt.team_id" EQ "$2)",
						   rule->workspace_id, team_id);
}
