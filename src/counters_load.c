/*
 * counters_load.c: filling the shared counts from the tables, rebuilding
 * them on request, and showing them (hubroute.routing_load()).
 *
 * A database's counts are loaded once, on first use after the server
 * starts, and again after hubroute.rebuild_counters() (which TRUNCATE of an
 * item table, and any change to the log but an insert, do too). Loading
 * counts rows; routing never does. It reads what the tables hold committed,
 * blind to the loading transaction's own changes: those reach the counts
 * through the transaction's effects (counters.c), at once or at commit, as
 * for any other transaction.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"

PG_FUNCTION_INFO_V1(hubroute_rebuild_counters);
PG_FUNCTION_INFO_V1(hubroute_routing_load);

/* Open items per owner, and each user's last assignment. */
static const char *const load_counts_sql =
	"SELECT t.owner_id, 0, pg_catalog.count(*)::integer, NULL::pg_catalog.timestamptz"
	"  FROM hubroute.tickets t"
	" WHERE t.status" EQ "'open' AND t.owner_id IS NOT NULL GROUP BY t.owner_id"
	" UNION ALL "
	"SELECT c.owner_id, 1, pg_catalog.count(*)::integer, NULL"
	"  FROM hubroute.conversations c"
	" WHERE c.status" EQ "'open' AND c.owner_id IS NOT NULL GROUP BY c.owner_id"
	" UNION ALL "
	"SELECT a.user_id, 2, 0, pg_catalog.max(a.at)"
	"  FROM hubroute.assignments a WHERE a.user_id IS NOT NULL GROUP BY a.user_id";

/*
 * Each channel's last choice by a strategy that rotates ($1: their
 * methods); and each source channel's last workflow handoff, whose
 * rotation is keyed by the negated source channel id (handoff.c).
 */
static const char *const load_rotations_sql =
	"(SELECT DISTINCT ON (a.channel_id) a.channel_id, a.user_id"
	"   FROM hubroute.assignments a"
	"  WHERE a.method" EQ "ANY ($1) AND a.user_id IS NOT NULL AND a.channel_id IS NOT NULL"
	"  ORDER BY a.channel_id, a.at DESC, a.id DESC)"
	" UNION ALL "
	"(SELECT DISTINCT ON (c.channel_id) OPERATOR(pg_catalog.-) c.channel_id, a.user_id"
	"   FROM hubroute.assignments a"
	"   JOIN hubroute.tickets t ON t.id" EQ "a.ticket_id"
	"   JOIN hubroute.conversations c ON c.id" EQ "t.conversation_id"
	"  WHERE a.method" EQ "'handoff' AND a.user_id IS NOT NULL"
	"  ORDER BY c.channel_id, a.at DESC, a.id DESC)";

/* Is there a channel with a queue? (drain.c) */
static const char *const queue_channels_sql = "SELECT 1 FROM hubroute.channels c WHERE c.queue LIMIT 1";

/* One row of load_counts_sql applied to its user's slot (under the lock). */
static void
apply_count_row(SPITupleTable *counts, int row, UserLoad *slot)
{
	HeapTuple	tuple = counts->vals[row];
	bool		isnull;
	int32		what = DatumGetInt32(SPI_getbinval(tuple, counts->tupdesc, 2, &isnull));
	int32		count = DatumGetInt32(SPI_getbinval(tuple, counts->tupdesc, 3, &isnull));
	Datum		at = SPI_getbinval(tuple, counts->tupdesc, 4, &isnull);

	if (what == 2)
		slot->last_assigned_at = slot->committed_assigned_at = DatumGetTimestampTz(at);
	else
		slot->open[what] = count;
}

/*
 * Reads the tables into the shared state, afresh (as internal SQL, load lock
 * held, no transaction writing items in flight).
 */
static void
load_from_tables(Oid namespace)
{
	DatabaseState *state = shared_state();
	int			users;
	SPITupleTable *counts;
	UserLoad  **slots;
	int			channels;
	Rotation  **rotations;
	int64	   *rotation_users;
	bool		isnull;
	Datum		methods;
	Oid			text_array = TEXTARRAYOID;

	shared_state_reset();
	users = spi_run_committed(spi_prepare_once(load_counts_sql, 0, NULL), NULL, NULL, 0);
	counts = SPI_tuptable;
	slots = palloc(sizeof(UserLoad *) * Max(users, 1));
	for (int i = 0; i < users; i++)
	{
		CHECK_FOR_INTERRUPTS();
		slots[i] = shared_user_load(spi_get_int64(i, 1, &isnull));
	}
	methods = strategy_rotating_names();
	channels = spi_run_committed(spi_prepare_once(load_rotations_sql, 1, &text_array), &methods, NULL, 0);
	rotations = palloc(sizeof(Rotation *) * Max(channels, 1));
	rotation_users = palloc(sizeof(int64) * Max(channels, 1));
	for (int i = 0; i < channels; i++)
	{
		CHECK_FOR_INTERRUPTS();
		rotations[i] = shared_rotation(spi_get_int64(i, 1, &isnull));
		rotation_users[i] = spi_get_int64(i, 2, &isnull);
	}
	if (spi_run_committed(spi_prepare_once(queue_channels_sql, 0, NULL), NULL, NULL, 1) > 0)
		shared_note_queues();
	decision_lock();
	for (int i = 0; i < users; i++)
		apply_count_row(counts, i, slots[i]);
	for (int i = 0; i < channels; i++)
	{
		rotations[i]->started = true;
		rotations[i]->last_user_id = rotation_users[i];
	}
	state->loaded_for = namespace;
	state->loaded = true;
	decision_unlock();
}

/*
 * Makes sure this database's counts are loaded for the extension whose
 * schema is namespace (a dropped and re-created extension starts afresh).
 * One backend loads; the others wait for it on a lock the deadlock
 * detector sees.
 */
void
counters_ready(void)
{
	DatabaseState *state = shared_state();
	Oid			namespace = hubroute_namespace();
	InternalSql internal;

	if (state->loaded && state->loaded_for == namespace)
		return;
	lock_counts_load();
	PG_TRY();
	{
		if (!state->loaded || state->loaded_for != namespace)
		{
			internal_sql_begin(&internal, INTERNAL_READER);
			load_from_tables(namespace);
			internal_sql_end(&internal);
		}
	}
	PG_FINALLY();
	{
		unlock_counts_load();
	}
	PG_END_TRY();
}

/*
 * hubroute.rebuild_counters(): the counts are loaded again from the tables
 * when this transaction commits. For repair after the item triggers were
 * bypassed (session_replication_role = replica, a bulk load). Waits for
 * every transaction writing items to finish, and holds them off until then.
 */
Datum
hubroute_rebuild_counters(PG_FUNCTION_ARGS)
{
	counters_rebuild();
	PG_RETURN_VOID();
}

/* The work of hubroute.rebuild_counters(), which TRUNCATE of an item table does too. */
void
counters_rebuild(void)
{
	lock_item_tables();
	counters_ready();
	counters_request_reload();
}

/*
 * hubroute.routing_load(): the counts routing compares, per user, as the
 * calling transaction's decisions see them: shared memory now (decisions of
 * transactions in flight included) plus this transaction's own changes
 * that count at commit.
 */
Datum
hubroute_routing_load(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	UserLoad   *loads;
	int			count;

	InitMaterializedSRF(fcinfo, 0);
	counters_ready();
	pending_settle_all();
	decision_lock_shared();
	loads = shared_user_loads(&count);
	decision_unlock();
	for (int i = 0; i < count; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};
		int32		open[2];
		TimestampTz last_assigned_at;

		counters_read(&loads[i], open, &last_assigned_at);
		nulls[3] = last_assigned_at == DT_NOBEGIN;
		if (open[ITEM_TICKET] == 0 && open[ITEM_CONVERSATION] == 0 && nulls[3])
			continue;
		values[0] = Int64GetDatum(loads[i].user_id);
		values[1] = Int32GetDatum(open[ITEM_TICKET]);
		values[2] = Int32GetDatum(open[ITEM_CONVERSATION]);
		values[3] = TimestampTzGetDatum(last_assigned_at);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
