/*
 * decision_log.c: hubroute.assignments, one row per routing decision and per
 * manual change of owner, and the hubroute.notifications outbox.
 *
 * The log also records the item's channel: after a restart, each channel's
 * round-robin rotation is read back from its last round-robin row.
 *
 * A log row is written on every routed insert, and through SPI it would
 * cost more than the routing: an executor, and the table's CHECK constraint
 * planned again at every execution. So while assignments is as the
 * extension made it (its own columns only, no triggers, no row security),
 * the row goes straight into the heap and its indexes; the row is built to
 * meet the CHECK. Otherwise (a DBA added a trigger or a column) it is an
 * ordinary INSERT, so whatever the DBA added takes effect.
 */
#include "hubroute.h"

#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/pg_type_d.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"

static SPIPlanPtr log_plan;
static SPIPlanPtr notify_plan;

/* The columns of hubroute.assignments the log fills, in this order. */
typedef enum LogColumn
{
	LOG_ID,
	LOG_TICKET_ID,
	LOG_CONVERSATION_ID,
	LOG_USER_ID,
	LOG_TEAM_ID,
	LOG_METHOD,
	LOG_REASON,
	LOG_AT,
	LOG_CHANNEL_ID,
	LOG_COLUMN_COUNT
} LogColumn;

static const char *const log_column_names[LOG_COLUMN_COUNT] = {
	"id", "ticket_id", "conversation_id", "user_id", "team_id", "method", "reason", "at", "channel_id"
};

/* What the direct path knows of the table; relid 0: look again. */
static Oid	log_relid = InvalidOid;
static bool log_direct;			/* the table is as the extension made it */
static Oid	log_sequence;		/* of its identity column */
static AttrNumber log_attnums[LOG_COLUMN_COUNT];

/* Relcache callback: assignments changed shape (or everything was reset). */
static void
decision_log_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	if (relid == InvalidOid || relid == log_relid)
		log_relid = InvalidOid;
}

/* Called once from _PG_init. */
void
decision_log_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(decision_log_relcache_callback, (Datum) 0);
}

/* Is rel (assignments) as the extension made it? Fills the column numbers. */
static bool
log_table_untouched(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			columns = 0;

	if (rel->trigdesc != NULL || rel->rd_rel->relrowsecurity)
		return false;
	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			columns++;
	if (columns != LOG_COLUMN_COUNT)
		return false;
	for (int c = 0; c < LOG_COLUMN_COUNT; c++)
		if ((log_attnums[c] = SPI_fnumber(desc, log_column_names[c])) <= 0)
			return false;
	log_sequence = getIdentitySequence(RelationGetRelid(rel), log_attnums[LOG_ID], true);
	return OidIsValid(log_sequence);
}

/* Writes values/nulls (by LogColumn) into rel and its indexes. */
static void
log_insert_direct(Relation rel, const Datum *values, const bool *nulls)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Datum	   *row_values = palloc0(sizeof(Datum) * desc->natts);
	bool	   *row_nulls = palloc(sizeof(bool) * desc->natts);
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *result = makeNode(ResultRelInfo);
	TupleTableSlot *slot;

	memset(row_nulls, true, sizeof(bool) * desc->natts);
	for (int c = 0; c < LOG_COLUMN_COUNT; c++)
	{
		row_values[log_attnums[c] - 1] = values[c];
		row_nulls[log_attnums[c] - 1] = nulls[c];
	}
	InitResultRelInfo(result, rel, 1, NULL, 0);
	ExecOpenIndices(result, false);
	slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsHeapTuple);
	ExecStoreHeapTuple(heap_form_tuple(desc, row_values, row_nulls), slot, false);
	simple_table_tuple_insert(rel, slot);
	(void) ExecInsertIndexTuples(result, slot, estate, false, false, NULL, NIL);
	ExecCloseIndices(result);
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
}

/* Runs a saved INSERT as the extension's owner. */
static void
insert_as_owner(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes,
				Datum *values, const char *nulls)
{
	OwnerSwitch owner;

	SPI_connect();
	owner_begin(&owner);
	spi_run(spi_plan(cache, sql, nargs, argtypes), values, nulls, false, 0);
	owner_end(&owner);
	SPI_finish();
}

/* Logs through SPI: an ordinary INSERT, for a table a DBA has changed. */
static void
log_insert_sql(ItemKind kind, int64 item_id, int64 channel_id, const RoutingDecision *decision)
{
	Oid			argtypes[8] = {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID, INT8OID};
	Datum		values[8];
	char		nulls[9] = "        ";

	values[0] = values[1] = Int64GetDatum(item_id);
	nulls[kind == ITEM_TICKET ? 1 : 0] = 'n';
	values[2] = Int64GetDatum(decision->user_id);
	nulls[2] = decision->assigned ? ' ' : 'n';
	values[3] = Int64GetDatum(decision->team_id);
	nulls[3] = decision->has_team ? ' ' : 'n';
	values[4] = CStringGetTextDatum(decision->method);
	values[5] = decision->reason ? CStringGetTextDatum(decision->reason) : (Datum) 0;
	nulls[5] = decision->reason ? ' ' : 'n';
	values[6] = TimestampTzGetDatum(decision->at);
	values[7] = Int64GetDatum(channel_id);
	insert_as_owner(&log_plan,
					"INSERT INTO hubroute.assignments"
					" (ticket_id, conversation_id, user_id, team_id, method, reason, at, channel_id)"
					" VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8, argtypes, values, nulls);
}

/* Logs a decision (routed, manual or reply), assigned or not, of an item in channel_id. */
void
decision_log(ItemKind kind, int64 item_id, int64 channel_id, const RoutingDecision *decision)
{
	Relation	rel = table_open(get_relname_relid("assignments", hubroute_namespace()),
								 RowExclusiveLock);
	Datum		values[LOG_COLUMN_COUNT];
	bool		nulls[LOG_COLUMN_COUNT] = {false};

	if (log_relid != RelationGetRelid(rel))
	{
		log_direct = log_table_untouched(rel);
		log_relid = RelationGetRelid(rel);
	}
	if (!log_direct || rel->trigdesc != NULL)
	{
		table_close(rel, NoLock);
		log_insert_sql(kind, item_id, channel_id, decision);
		return;
	}
	values[LOG_ID] = Int64GetDatum(nextval_internal(log_sequence, false));
	/* Exactly one of ticket_id and conversation_id: the table's CHECK. */
	values[LOG_TICKET_ID] = values[LOG_CONVERSATION_ID] = Int64GetDatum(item_id);
	nulls[LOG_TICKET_ID] = kind != ITEM_TICKET;
	nulls[LOG_CONVERSATION_ID] = kind != ITEM_CONVERSATION;
	values[LOG_USER_ID] = Int64GetDatum(decision->user_id);
	nulls[LOG_USER_ID] = !decision->assigned;
	values[LOG_TEAM_ID] = Int64GetDatum(decision->team_id);
	nulls[LOG_TEAM_ID] = !decision->has_team;
	values[LOG_METHOD] = CStringGetTextDatum(decision->method);
	values[LOG_REASON] = decision->reason ? CStringGetTextDatum(decision->reason) : (Datum) 0;
	nulls[LOG_REASON] = decision->reason == NULL;
	values[LOG_AT] = TimestampTzGetDatum(decision->at);
	values[LOG_CHANNEL_ID] = Int64GetDatum(channel_id);
	log_insert_direct(rel, values, nulls);
	table_close(rel, NoLock);
}

/* Queues an owner_offline e-mail for a contact owner who got an item while away. */
void
decision_notify_owner_offline(ItemKind kind, int64 item_id, int64 user_id)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, INT8OID};
	Datum		values[3] = {Int64GetDatum(user_id), Int64GetDatum(item_id), Int64GetDatum(item_id)};
	char		nulls[3] = {' ', kind == ITEM_TICKET ? ' ' : 'n', kind == ITEM_TICKET ? 'n' : ' '};

	insert_as_owner(&notify_plan,
					"INSERT INTO hubroute.notifications (user_id, kind, ticket_id, conversation_id)"
					" VALUES ($1, 'owner_offline', $2, $3)", 3, argtypes, values, nulls);
}
