/*
 * cache.c: the routing configuration, cached per backend.
 *
 * Routing reads channels, workspaces, their teams, channel targets, team
 * members, users and their skills on every insert; reading them with SQL
 * would cost more than the insert itself. So each backend keeps a copy,
 * built with one query per table, and drops it when any of those tables
 * changes: a statement trigger on each of them (hubroute.config_changed())
 * invalidates the relcache entry of hubroute.channels, and the relcache
 * callback here marks the copy stale (the way pg_cron reloads its jobs).
 * Routing accepts pending invalidations before it looks, so a DBA's
 * committed change applies to the next insert, and a transaction sees its
 * own uncommitted changes (the copy is built with the latest snapshot).
 *
 * Pointers handed out stay valid until the next cache_refresh().
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "storage/sinval.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(hubroute_config_changed);

static MemoryContext cache_context = NULL;
static HTAB *users = NULL;		/* user id -> UserInfo */
static HTAB *channels = NULL;	/* channel id -> ChannelInfo */
static HTAB *teams = NULL;		/* team id -> itself */
static bool cache_valid = false;
static uint64 invalidations = 0;	/* callbacks seen, to spot one during a build */
static Oid	marker_relid = InvalidOid;	/* hubroute.channels */

static const char *const users_sql =
	"SELECT u.id, u.active, u.available, u.ticket_access, u.seat,"
	"       ARRAY(SELECT s.skill_id FROM hubroute.user_skills s"
	"              WHERE s.user_id" EQ "u.id ORDER BY 1),"
	"       ARRAY(SELECT m.team_id FROM hubroute.team_members m"
	"              WHERE m.user_id" EQ "u.id ORDER BY 1)"
	"  FROM hubroute.users u";

static const char *const teams_sql = "SELECT t.id FROM hubroute.teams t";

static const char *const channels_sql =
	"SELECT c.id, w.kind, c.assign_to, c.distribution, c.only_available, c.fallback_user_id,"
	"       c.use_skills, c.workspace_id, c.kind,"
	"       ARRAY(SELECT wt.team_id FROM hubroute.workspace_teams wt"
	"              WHERE wt.workspace_id" EQ "c.workspace_id ORDER BY 1)"
	"  FROM hubroute.channels c"
	"  JOIN hubroute.workspaces w ON w.id" EQ "c.workspace_id";

/* A users_and_teams pool: target users and primary members of target teams. */
static const char *const pools_sql =
	"SELECT t.channel_id, t.user_id FROM hubroute.channel_targets t"
	" WHERE t.user_id IS NOT NULL"
	" UNION "
	"SELECT t.channel_id, m.user_id FROM hubroute.channel_targets t"
	"  JOIN hubroute.team_members m ON m.team_id" EQ "t.team_id AND m.is_primary"
	" ORDER BY 1, 2";

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

/* Column col, a bigint[] ordered ascending, copied into the cache. */
static int64 *
column_ids(int row, int col, int *count)
{
	bool		isnull;
	Datum		value = column(row, col, &isnull);
	Datum	   *elements;
	int64	   *ids;

	*count = 0;
	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(value), INT8OID, 8, true, TYPALIGN_DOUBLE,
					  &elements, NULL, count);
	ids = palloc(sizeof(int64) * Max(*count, 1));
	for (int i = 0; i < *count; i++)
		ids[i] = DatumGetInt64(elements[i]);
	return ids;
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
		user->load = NULL;
	}
}

/* Reads every team id. */
static void
load_teams(void)
{
	int			rows = cache_query(teams_sql);

	teams = id_hash("hubroute teams", sizeof(int64));
	for (int i = 0; i < rows; i++)
	{
		bool		isnull;
		int64		id = DatumGetInt64(column(i, 1, &isnull));

		(void) hash_search(teams, &id, HASH_ENTER, NULL);
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
		rule->distribution = rule_parse_distribution(column_text(i, 4), rule->inbox, column_text(i, 9));
		rule->only_available = column_bool(i, 5);
		rule->has_fallback = !isnull;
		rule->fallback_user_id = isnull ? 0 : DatumGetInt64(fallback);
		rule->use_skills = column_bool(i, 7);
		rule->workspace_id = DatumGetInt64(column(i, 8, &isnull));
		channel->workspace_teams = column_ids(i, 10, &channel->workspace_team_count);
		rule->restricted = channel->workspace_team_count > 0;
		channel->pool = NULL;
		channel->pool_size = 0;
		channel->rotation = NULL;
		channel->eligible[0] = channel->eligible[1] = NULL;
		channel->eligible_valid[0] = channel->eligible_valid[1] = false;
		channel->index[0] = channel->index[1] = NULL;
	}
}

/* Reads every channel's pool (rows come ordered by channel, then user). */
static void
load_pools(void)
{
	int			rows = cache_query(pools_sql);
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
		{
			channel->pool = palloc(sizeof(UserInfo *) * (end - first));
			for (int i = first; i < end; i++)
			{
				int64		user_id = DatumGetInt64(column(i, 2, &isnull));
				UserInfo   *user = hash_search(users, &user_id, HASH_FIND, NULL);

				if (user == NULL)
					continue;
				(void) cache_user_load(user);
				channel->pool[channel->pool_size++] = user;
			}
		}
		first = end;
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
	old = MemoryContextSwitchTo(cache_context);
	PG_TRY();
	{
		load_users();
		load_teams();
		load_channels();
		load_pools();
	}
	PG_FINALLY();
	{
		MemoryContextSwitchTo(old);
	}
	PG_END_TRY();
}

/*
 * The shared slots were replaced (shared_state.c): the copy's pointers into
 * them are stale.
 */
void
cache_forget_slots(void)
{
	cache_valid = false;
	invalidations++;
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
 * Makes the copy current: accepts pending invalidations, and rebuilds it if
 * the configuration changed. A change seen while building leaves it marked
 * stale, so the next call builds again. The counts are made ready first:
 * a load of them replaces the slots the copy points into.
 */
void
cache_refresh(void)
{
	uint64		seen;
	InternalSql internal;

	counters_ready();
	AcceptInvalidationMessages();
	if (cache_valid)
		return;
	/* The extension may have been dropped and created again: a new marker. */
	marker_relid = hubroute_relid(TABLE_CHANNELS);
	seen = ++invalidations;
	cache_valid = false;
	internal_sql_begin(&internal, INTERNAL_READER);
	cache_build();
	internal_sql_end(&internal);
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
 * AFTER INSERT, UPDATE, DELETE or TRUNCATE FOR EACH STATEMENT on a
 * configuration table: every backend's copy becomes stale (at commit; this
 * transaction's own copy at its next command).
 */
Datum
hubroute_config_changed(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("hubroute.config_changed() must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(hubroute_relid(TABLE_CHANNELS));
	return PointerGetDatum(NULL);
}
