/*
 * cache.c: the routing configuration, cached per backend.
 *
 * Routing reads channels, workspaces, their teams, channel targets, team
 * members, users and their skills on every insert; reading them with SQL
 * would cost more than the insert itself. So each backend keeps a copy,
 * built with one query per table, and drops it when any of those tables
 * changes what routing reads: a row trigger on each of them
 * (config_changes.c) invalidates the relcache entry of hubroute.channels,
 * and the relcache callback here marks the copy stale (the way pg_cron
 * reloads its jobs). A user's availability, which changes all day, is
 * applied to the copy in place instead (cache_set_available()).
 * Routing accepts pending invalidations before it looks, so a DBA's
 * committed change applies to the next insert, and a transaction sees its
 * own uncommitted changes (the copy is built with the latest snapshot).
 *
 * Pointers handed out stay valid until the next cache_refresh().
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "funcapi.h"
#include "portability/instr_time.h"
#include "storage/sinval.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(hubroute_routing_cache);

static MemoryContext cache_context = NULL;
static HTAB *users = NULL;		/* user id -> UserInfo */
static HTAB *channels = NULL;	/* channel id -> ChannelInfo */
static HTAB *teams = NULL;		/* team id -> TeamInfo */
static List *queue_channels = NIL;	/* the ChannelInfo of channels with a queue */
static CustomerAgentSettings customer_agent;
static Pool handoff_members;	/* the handoff targets' users (each channel keeps its eligible) */
static bool cache_valid = false;
static uint64 invalidations = 0;	/* callbacks seen, to spot one during a build */
static uint64 availability_seen = 0;	/* published availability changes replayed */
static int64 builds = 0;		/* for hubroute.routing_cache() */
static int64 availability_applied = 0;
static double last_build_ms = 0;
static Oid	marker_relid = InvalidOid;	/* hubroute.channels */

/*
 * One query per table, aggregating the many-to-many rows in one pass each:
 * a subquery per user or channel would read team_members once per user.
 */
static const char *const users_sql =
	"SELECT u.id, u.active, u.available, u.ticket_access, u.seat, s.ids, m.ids, m.primary_team,"
	"       u.ticket_capacity, u.conversation_capacity"
	"  FROM hubroute.users u"
	"  LEFT JOIN (SELECT user_id, pg_catalog.array_agg(skill_id ORDER BY skill_id) AS ids"
	"               FROM hubroute.user_skills GROUP BY user_id) s ON s.user_id" EQ "u.id"
	"  LEFT JOIN (SELECT user_id, pg_catalog.array_agg(team_id ORDER BY team_id) AS ids,"
	"                    pg_catalog.max(team_id) FILTER (WHERE is_primary) AS primary_team"
	"               FROM hubroute.team_members GROUP BY user_id) m ON m.user_id" EQ "u.id";

static const char *const teams_sql = "SELECT t.id FROM hubroute.teams t";

static const char *const channels_sql =
	"SELECT c.id, w.kind, c.assign_to, c.distribution, c.only_available, c.fallback_user_id,"
	"       c.use_skills, c.workspace_id, c.kind, wt.ids, c.timezone, c.voicemail_message,"
	"       c.after_hours_message, h.weekdays, h.opens, h.closes, c.queue"
	"  FROM hubroute.channels c"
	"  JOIN hubroute.workspaces w ON w.id" EQ "c.workspace_id"
	"  LEFT JOIN (SELECT workspace_id, pg_catalog.array_agg(team_id ORDER BY team_id) AS ids"
	"               FROM hubroute.workspace_teams GROUP BY workspace_id) wt"
	"    ON wt.workspace_id" EQ "c.workspace_id"
	"  LEFT JOIN (SELECT channel_id, pg_catalog.array_agg(weekday::integer ORDER BY weekday, opens) AS weekdays,"
	"                    pg_catalog.array_agg(opens ORDER BY weekday, opens) AS opens,"
	"                    pg_catalog.array_agg(closes ORDER BY weekday, opens) AS closes"
	"               FROM hubroute.channel_hours GROUP BY channel_id) h"
	"    ON h.channel_id" EQ "c.id";

/* The customer agent's one row, with the handoff phrases. */
static const char *const customer_agent_sql =
	"SELECT a.paused, a.handoff_process, a.handoff_mode, a.workflow_channel_id,"
	"       a.message_available, a.message_unavailable, a.message_unassigned, a.close_if_unassigned,"
	"       (SELECT pg_catalog.array_agg(pg_catalog.lower(t.phrase) ORDER BY t.phrase)"
	"          FROM hubroute.handoff_triggers t)"
	"  FROM hubroute.customer_agent a";

/* The handoff targets, as rows like targets_sql's. */
static const char *const handoff_targets_sql =
	"SELECT NULL::bigint, t.user_id, t.team_id FROM hubroute.handoff_targets t";

/*
 * A users_and_teams pool: target users and primary members of target teams
 * (put together in C: a join would make a row per channel and member).
 */
static const char *const targets_sql =
	"SELECT t.channel_id, t.user_id, t.team_id FROM hubroute.channel_targets t ORDER BY 1";

/* A team and its primary members. */
typedef struct TeamInfo
{
	int64		team_id;
	int			member_count;
	int			member_space;
	UserInfo  **members;
} TeamInfo;

/* Relcache callback: a change to the configuration makes the copy stale. */
static void
cache_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	if (relid == InvalidOid || relid == marker_relid || marker_relid == InvalidOid)
	{
		cache_valid = false;
		invalidations++;
	}
}

/* Called once from _PG_init. */
void
cache_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(cache_relcache_callback, (Datum) 0);
}

/*
 * Runs one of the queries above; returns the number of rows. SPI leaves its
 * own context current: what follows is allocated in the cache again.
 */
static int
cache_query(const char *sql)
{
	int			rows = spi_run_latest(spi_prepare_once(sql, 0, NULL), NULL, NULL, 0);

	MemoryContextSwitchTo(cache_context);
	return rows;
}

/* Column col of result row row. */
static Datum
column(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

/* Column col as bool (NULL is false). */
static bool
column_bool(int row, int col)
{
	bool		isnull;
	Datum		value = column(row, col, &isnull);

	return !isnull && DatumGetBool(value);
}

/* Column col as a C string in the cache, or NULL. */
static char *
column_text(int row, int col)
{
	bool		isnull;
	Datum		value = column(row, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

/*
 * Column col, an array without NULLs of elements of type (their length,
 * by_value and align), as elements; NULL for a NULL column. By-reference
 * elements point into the SPI result: copy them before the next query.
 */
static Datum *
column_elements(int row, int col, Oid type, int16 length, bool by_value, char align, int *count)
{
	bool		isnull;
	Datum		value = column(row, col, &isnull);
	Datum	   *elements;

	*count = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(value), type, length, by_value, align, &elements, NULL, count);
	return elements;
}

/* Column col, a bigint[] ordered ascending, copied into the cache. */
static int64 *
column_ids(int row, int col, int *count)
{
	Datum	   *elements = column_elements(row, col, INT8OID, 8, true, TYPALIGN_DOUBLE, count);
	int64	   *ids;

	if (elements == NULL)
		return NULL;
	ids = palloc(sizeof(int64) * Max(*count, 1));
	for (int i = 0; i < *count; i++)
		ids[i] = DatumGetInt64(elements[i]);
	return ids;
}

/* column_elements() of an array of any type (looked up: for a column read once per build). */
static Datum *
column_array(int row, int col, Oid type, int *count)
{
	int16		length;
	bool		by_value;
	char		align;

	get_typlenbyvalalign(type, &length, &by_value, &align);
	return column_elements(row, col, type, length, by_value, align, count);
}

/* A channel's opening hours, from the weekdays, opens and closes arrays of row. */
static void
read_hours(ChannelInfo *channel, int row)
{
	int			count;
	Datum	   *weekdays = column_elements(row, 14, INT4OID, 4, true, TYPALIGN_INT, &count);
	Datum	   *opens = column_elements(row, 15, TIMEOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &count);
	Datum	   *closes = column_elements(row, 16, TIMEOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &count);

	channel->hours_count = count;
	channel->hours = palloc(sizeof(OpeningHours) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		channel->hours[i].weekday = DatumGetInt32(weekdays[i]);
		channel->hours[i].opens = DatumGetTimeADT(opens[i]);
		channel->hours[i].closes = DatumGetTimeADT(closes[i]);
	}
}

/* A new hash of entries keyed by an int64 id, in the cache context. */
static HTAB *
id_hash(const char *name, Size entry_size)
{
	HASHCTL		ctl = {.keysize = sizeof(int64),.entrysize = entry_size,.hcxt = cache_context};

	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* The seat column's value. */
static Seat
parse_seat(const char *seat)
{
	if (seat != NULL && strcmp(seat, "service") == 0)
		return SEAT_SERVICE;
	if (seat != NULL && strcmp(seat, "sales") == 0)
		return SEAT_SALES;
	return SEAT_NONE;
}

/* A capacity column: -1 for NULL (no limit). */
static int32
column_capacity(int row, int col)
{
	bool		isnull;
	Datum		value = column(row, col, &isnull);

	return isnull ? -1 : DatumGetInt32(value);
}

/* Reads every user, with skills and teams. */
static void
load_users(void)
{
	int			rows = cache_query(users_sql);

	users = id_hash("hubroute users", sizeof(UserInfo));
	for (int i = 0; i < rows; i++)
	{
		bool		isnull;
		int64		id = DatumGetInt64(column(i, 1, &isnull));
		UserInfo   *user = hash_search(users, &id, HASH_ENTER, NULL);

		user->active = column_bool(i, 2);
		user->available = column_bool(i, 3);
		user->ticket_access = column_bool(i, 4);
		user->seat = parse_seat(column_text(i, 5));
		user->skills = column_ids(i, 6, &user->skill_count);
		user->teams = column_ids(i, 7, &user->team_count);
		user->primary_team_id = DatumGetInt64(column(i, 8, &user->no_primary_team));
		user->capacity[ITEM_TICKET] = column_capacity(i, 9);
		user->capacity[ITEM_CONVERSATION] = column_capacity(i, 10);
		user->load = NULL;
	}
}

/* Reads every team id, and lists each team's primary members. */
static void
load_teams(void)
{
	int			rows = cache_query(teams_sql);
	HASH_SEQ_STATUS scan;
	UserInfo   *user;

	teams = id_hash("hubroute teams", sizeof(TeamInfo));
	for (int i = 0; i < rows; i++)
	{
		bool		isnull;
		int64		id = DatumGetInt64(column(i, 1, &isnull));
		TeamInfo   *team = hash_search(teams, &id, HASH_ENTER, NULL);

		team->member_count = team->member_space = 0;
		team->members = NULL;
	}
	hash_seq_init(&scan, users);
	while ((user = hash_seq_search(&scan)) != NULL)
	{
		TeamInfo   *team = user->no_primary_team ? NULL
			: hash_search(teams, &user->primary_team_id, HASH_FIND, NULL);

		if (team == NULL)
			continue;
		if (team->member_count == team->member_space)
		{
			team->member_space = Max(8, team->member_space * 2);
			team->members = team->members == NULL
				? palloc(sizeof(UserInfo *) * team->member_space)
				: repalloc(team->members, sizeof(UserInfo *) * team->member_space);
		}
		team->members[team->member_count++] = user;
	}
}

/* Reads every channel's rule and its workspace. */
static void
load_channels(void)
{
	int			rows = cache_query(channels_sql);

	channels = id_hash("hubroute channels", sizeof(ChannelInfo));
	for (int i = 0; i < rows; i++)
	{
		bool		isnull;
		int64		id = DatumGetInt64(column(i, 1, &isnull));
		ChannelInfo *channel = hash_search(channels, &id, HASH_ENTER, NULL);
		RoutingRule *rule = &channel->rule;
		Datum		fallback = column(i, 6, &isnull);

		memset(rule, 0, sizeof(*rule));
		rule->channel_id = id;
		channel->workspace_kind = column_text(i, 2);
		rule->inbox = strcmp(channel->workspace_kind, "inbox") == 0;
		rule->assign_to = rule_parse_assign_to(column_text(i, 3));
		rule->distribution = strategy_of_channel(column_text(i, 4), rule->inbox, column_text(i, 9));
		rule->only_available = column_bool(i, 5);
		rule->has_fallback = !isnull;
		rule->fallback_user_id = isnull ? 0 : DatumGetInt64(fallback);
		rule->use_skills = column_bool(i, 7);
		rule->workspace_id = DatumGetInt64(column(i, 8, &isnull));
		channel->workspace_teams = column_ids(i, 10, &channel->workspace_team_count);
		rule->restricted = channel->workspace_team_count > 0;
		memset(&channel->targets, 0, sizeof(channel->targets));
		memset(&channel->handoff, 0, sizeof(channel->handoff));
		channel->rotation = NULL;
		channel->kind = column_text(i, 9);
		channel->timezone = column_text(i, 11);
		channel->zone = hours_zone(channel->timezone);
		channel->voicemail_message = column_text(i, 12);
		channel->after_hours_message = column_text(i, 13);
		read_hours(channel, i);
		channel->queue = column_bool(i, 17);
		channel->queue_empty_as_of = 0;
		if (channel->queue)
		{
			queue_channels = lappend(queue_channels, channel);
			shared_note_queues();
		}
	}
}

/* Orders pool members by user id. */
static int
compare_user_ids(const void *a, const void *b)
{
	int64		left = (*(UserInfo *const *) a)->user_id;
	int64		right = (*(UserInfo *const *) b)->user_id;

	return left < right ? -1 : left > right;
}

/* Target row i: a user or a team, found in the copy (or NULL). */
static void
target_of(int i, UserInfo **user, TeamInfo **team)
{
	bool		no_user;
	bool		no_team;
	int64		user_id = DatumGetInt64(column(i, 2, &no_user));
	int64		team_id = DatumGetInt64(column(i, 3, &no_team));

	*user = no_user ? NULL : hash_search(users, &user_id, HASH_FIND, NULL);
	*team = no_team ? NULL : hash_search(teams, &team_id, HASH_FIND, NULL);
}

/* pool: the users of target rows first .. end - 1 (users, and teams' primary members). */
static void
build_pool(Pool *pool, int first, int end)
{
	int			space = 0;
	int			count = 0;
	UserInfo  **members;
	UserInfo   *user;
	TeamInfo   *team;

	for (int i = first; i < end; i++)
	{
		target_of(i, &user, &team);
		space += (user != NULL) + (team != NULL ? team->member_count : 0);
	}
	members = palloc(sizeof(UserInfo *) * Max(space, 1));
	for (int i = first; i < end; i++)
	{
		target_of(i, &user, &team);
		if (user != NULL)
			members[count++] = user;
		for (int m = 0; team != NULL && m < team->member_count; m++)
			members[count++] = team->members[m];
	}
	qsort(members, count, sizeof(UserInfo *), compare_user_ids);
	pool->members = members;
	pool->size = 0;
	for (int i = 0; i < count; i++)
		if (pool->size == 0 || members[pool->size - 1] != members[i])
		{
			(void) cache_user_load(members[i]);
			members[pool->size++] = members[i];
		}
}

/* Reads every channel's targets (rows come ordered by channel) and makes its pool. */
static void
load_pools(void)
{
	int			rows = cache_query(targets_sql);
	int			first = 0;

	while (first < rows)
	{
		bool		isnull;
		int64		channel_id = DatumGetInt64(column(first, 1, &isnull));
		ChannelInfo *channel = hash_search(channels, &channel_id, HASH_FIND, NULL);
		int			end = first;

		while (end < rows && DatumGetInt64(column(end, 1, &isnull)) == channel_id)
			end++;
		if (channel != NULL)
			build_pool(&channel->targets, first, end);
		first = end;
	}
}

/* handoff_process's value (an unknown one, validation bypassed, hands off nothing). */
static HandoffProcess
parse_handoff_process(const char *value)
{
	if (value != NULL && strcmp(value, "live") == 0)
		return HANDOFF_LIVE;
	if (value != NULL && strcmp(value, "async") == 0)
		return HANDOFF_ASYNC;
	return HANDOFF_NONE;
}

/*
 * Reads the customer agent's settings and phrases, and the handoff targets,
 * which every channel's handoff pool shares.
 */
static void
load_customer_agent(void)
{
	int			rows = cache_query(customer_agent_sql);
	bool		isnull;
	Datum		workflow_channel;
	Datum	   *phrases;
	HASH_SEQ_STATUS scan;
	ChannelInfo *channel;

	memset(&customer_agent, 0, sizeof(customer_agent));
	customer_agent.process = HANDOFF_LIVE;
	if (rows > 0)
	{
		customer_agent.paused = column_bool(0, 1);
		customer_agent.process = parse_handoff_process(column_text(0, 2));
		customer_agent.workflow = strcmp(column_text(0, 3), "workflow") == 0;
		workflow_channel = column(0, 4, &isnull);
		customer_agent.has_workflow_channel = !isnull;
		customer_agent.workflow_channel_id = isnull ? 0 : DatumGetInt64(workflow_channel);
		customer_agent.message_available = column_text(0, 5);
		customer_agent.message_unavailable = column_text(0, 6);
		customer_agent.message_unassigned = column_text(0, 7);
		customer_agent.close_if_unassigned = column_bool(0, 8);
		phrases = column_array(0, 9, TEXTOID, &customer_agent.phrase_count);
		customer_agent.phrases = palloc(sizeof(char *) * Max(customer_agent.phrase_count, 1));
		for (int i = 0; i < customer_agent.phrase_count; i++)
			customer_agent.phrases[i] = TextDatumGetCString(phrases[i]);
	}
	build_pool(&handoff_members, 0, cache_query(handoff_targets_sql));
	hash_seq_init(&scan, channels);
	while ((channel = hash_seq_search(&scan)) != NULL)
	{
		channel->handoff.size = handoff_members.size;
		channel->handoff.members = handoff_members.members;
	}
}

/* Builds the whole copy in a fresh context (as internal SQL). */
static void
cache_build(void)
{
	MemoryContext old;

	if (cache_context == NULL)
		cache_context = AllocSetContextCreate(CacheMemoryContext, "hubroute routing cache",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContextReset(cache_context);
	users = channels = teams = NULL;
	queue_channels = NIL;
	old = MemoryContextSwitchTo(cache_context);
	PG_TRY();
	{
		load_users();
		load_teams();
		load_channels();
		load_pools();
		load_customer_agent();
	}
	PG_FINALLY();
	{
		MemoryContextSwitchTo(old);
	}
	PG_END_TRY();
}

/* The copy is stale: the next cache_refresh() builds it again. */
void
cache_forget(void)
{
	cache_valid = false;
	invalidations++;
}

/*
 * The shared slots were replaced (shared_state.c): the copy's pointers into
 * them are stale.
 */
void
cache_forget_slots(void)
{
	cache_forget();
}

/* Is user_id a member of pool? (Members are ordered by user id.) */
bool
pool_has_member(const Pool *pool, int64 user_id)
{
	int			low = 0;
	int			high = pool->size;

	while (low < high)
	{
		int			middle = low + (high - low) / 2;

		if (pool->members[middle]->user_id < user_id)
			low = middle + 1;
		else
			high = middle;
	}
	return low < pool->size && pool->members[low]->user_id == user_id;
}

/*
 * user_id became available or away: the copy follows without a rebuild,
 * and the pools that honour availability work out their eligible users
 * again when next used.
 */
void
cache_set_available(int64 user_id, bool available)
{
	UserInfo   *user = users == NULL ? NULL : hash_search(users, &user_id, HASH_FIND, NULL);
	HASH_SEQ_STATUS scan;
	ChannelInfo *channel;

	if (user == NULL || user->available == available)
		return;
	user->available = available;
	availability_applied++;
	hash_seq_init(&scan, channels);
	while ((channel = hash_seq_search(&scan)) != NULL)
	{
		if (pool_has_member(&channel->targets, user_id))
			channel->targets.eligible_valid[1] = false;
		if (pool_has_member(&channel->handoff, user_id))
			channel->handoff.eligible_valid[1] = false;
	}
}

/* user's load slot, found when first needed and kept with the copy. */
UserLoad *
cache_user_load(UserInfo *user)
{
	if (user->load == NULL)
		user->load = shared_user_load(user->user_id);
	return user->load;
}

/*
 * Makes the copy current: accepts pending invalidations and replays
 * availability changes (config_changes.c), and rebuilds it if the
 * configuration changed otherwise. A change seen while building leaves it marked
 * stale, so the next call builds again. The counts are made ready first:
 * a load of them replaces the slots the copy points into.
 */
void
cache_refresh(void)
{
	uint64		seen;
	InternalSql internal;
	instr_time	started;
	instr_time	took;

	counters_ready();
	AcceptInvalidationMessages();
	if (cache_valid)
		config_changes_replay(&availability_seen);
	if (cache_valid)
		return;
	/* The extension may have been dropped and created again: a new marker. */
	marker_relid = hubroute_relid(TABLE_CHANNELS);
	seen = ++invalidations;
	cache_valid = false;
	/* Changes published from now on are replayed onto the new copy. */
	availability_seen = shared_availability_seen();
	INSTR_TIME_SET_CURRENT(started);
	internal_sql_begin(&internal, INTERNAL_READER);
	cache_build();
	internal_sql_end(&internal);
	INSTR_TIME_SET_CURRENT(took);
	INSTR_TIME_SUBTRACT(took, started);
	last_build_ms = INSTR_TIME_GET_MILLISEC(took);
	builds++;
	cache_valid = invalidations == seen;
}

/*
 * Is the copy still current? Accepts pending invalidations but does not
 * rebuild, so pointers handed out stay valid either way.
 */
bool
cache_still_current(void)
{
	AcceptInvalidationMessages();
	return cache_valid;
}

/* The channel, or NULL when it does not exist. */
ChannelInfo *
cache_channel(int64 channel_id)
{
	return hash_search(channels, &channel_id, HASH_FIND, NULL);
}

/* The channels whose items wait in a queue (SPEC §6). */
List *
cache_queue_channels(void)
{
	return queue_channels;
}

/* The customer agent's settings (SPEC §4). */
const CustomerAgentSettings *
cache_customer_agent(void)
{
	return &customer_agent;
}

/* The user, or NULL when it does not exist. */
UserInfo *
cache_user(int64 user_id)
{
	return hash_search(users, &user_id, HASH_FIND, NULL);
}

/* Memory that lives as long as the cached configuration. */
void *
cache_alloc(Size size)
{
	return MemoryContextAlloc(cache_context, size);
}

/* Does the team exist? */
bool
cache_team_exists(int64 team_id)
{
	return hash_search(teams, &team_id, HASH_FIND, NULL) != NULL;
}

/*
 * hubroute.routing_cache(): this session's copy of the configuration: how
 * often it was built, how many availability changes were applied to it in
 * place, the users and channels in it, and how long its last build took.
 */
Datum
hubroute_routing_cache(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = Int64GetDatum(builds);
	values[1] = Int64GetDatum(availability_applied);
	values[2] = Int32GetDatum(users == NULL ? 0 : (int32) hash_get_num_entries(users));
	values[3] = Int32GetDatum(channels == NULL ? 0 : (int32) hash_get_num_entries(channels));
	values[4] = Float8GetDatum(last_build_ms);
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
}
