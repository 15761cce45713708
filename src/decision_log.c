/*
 * decision_log.c: hubroute.assignments, one row per routing decision and per
 * manual change of owner, the hubroute.notifications outbox, and the
 * messages hubroute posts.
 *
 * The log also records the item's channel: after a restart, each channel's
 * round-robin rotation is read back from its last round-robin row.
 *
 * A log row is written on every routed insert, and through SPI it would
 * cost more than the routing: an executor, and the table's CHECK constraint
 * planned again at every execution. So while assignments is exactly as the
 * extension made it, the row goes straight into the heap and its indexes;
 * the row is built to meet the table's one CHECK constraint. "As made"
 * means: a plain table with its own nine columns, their types and NOT NULLs;
 * no trigger that fires on INSERT, no rule, no row security; no CHECK
 * constraint but its own; and indexes that run no code but PostgreSQL's own. Otherwise (a DBA added a
 * column, a trigger, a constraint, a foreign key, an expression index ...)
 * the row is an ordinary INSERT run as hubroute_logger (internal_sql.c),
 * so whatever the DBA added takes effect, with no more rights than adding
 * log, outbox and message rows. The messages hubroute posts itself (a
 * call's voicemail message) are ordinary INSERTs as hubroute_logger too.
 */
#include "hubroute.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "catalog/dependency.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type_d.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_func.h"
#include "access/xact.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(hubroute_log_changed);

static SPIPlanPtr log_plan;
static SPIPlanPtr log_plan_with_id;
static SPIPlanPtr notify_plan;
static SPIPlanPtr message_plan;

/* restore_in_progress()'s last answer, for the statement it was asked in. */
static LocalTransactionId restoring_lxid = InvalidLocalTransactionId;
static TimestampTz restoring_statement;
static bool restoring;
static bool logging = false;	/* hubroute's own log insert through SQL is running */

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

/* Each column as the extension made it. */
static const struct
{
	const char *name;
	Oid			type;
	bool		not_null;
}			log_columns[LOG_COLUMN_COUNT] = {
	[LOG_ID] = {"id", INT8OID, true},
	[LOG_TICKET_ID] = {"ticket_id", INT8OID, false},
	[LOG_CONVERSATION_ID] = {"conversation_id", INT8OID, false},
	[LOG_USER_ID] = {"user_id", INT8OID, false},
	[LOG_TEAM_ID] = {"team_id", INT8OID, false},
	[LOG_METHOD] = {"method", TEXTOID, true},
	[LOG_REASON] = {"reason", TEXTOID, false},
	[LOG_AT] = {"at", TIMESTAMPTZOID, true},
	[LOG_CHANNEL_ID] = {"channel_id", INT8OID, false},
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

/* Are rel's live columns exactly the log's own, with their types and NOT NULLs? */
static bool
log_columns_as_made(Relation rel)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			columns = 0;

	for (int i = 0; i < desc->natts; i++)
		if (!TupleDescAttr(desc, i)->attisdropped)
			columns++;
	if (columns != LOG_COLUMN_COUNT)
		return false;
	for (int c = 0; c < LOG_COLUMN_COUNT; c++)
	{
		Form_pg_attribute attribute;

		if ((log_attnums[c] = SPI_fnumber(desc, log_columns[c].name)) <= 0)
			return false;
		attribute = TupleDescAttr(desc, log_attnums[c] - 1);
		if (attribute->atttypid != log_columns[c].type || attribute->attnotnull != log_columns[c].not_null ||
			attribute->attgenerated != '\0')
			return false;
	}
	return true;
}

/* Is node "column IS NULL" of the log's column c? */
static bool
is_null_test_of(Node *node, LogColumn c)
{
	NullTest   *test = (NullTest *) node;

	return IsA(node, NullTest) && test->nulltesttype == IS_NULL && IsA(test->arg, Var) &&
		((Var *) test->arg)->varattno == log_attnums[c];
}

/*
 * Is rel's only CHECK constraint the extension's: (ticket_id IS NULL) <>
 * (conversation_id IS NULL)?
 */
static bool
log_check_as_made(Relation rel)
{
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	OpExpr	   *check;

	if (constr == NULL || constr->num_check != 1)
		return false;
	check = (OpExpr *) stringToNode(constr->check[0].ccbin);
	return IsA(check, OpExpr) && check->opno == BooleanNotEqualOperator &&
		list_length(check->args) == 2 &&
		is_null_test_of(linitial(check->args), LOG_TICKET_ID) &&
		is_null_test_of(lsecond(check->args), LOG_CONVERSATION_ID);
}

/* check_functions_in_node() callback: a function PostgreSQL did not ship? */
static bool
is_user_function(Oid function, void *context pg_attribute_unused())
{
	return function >= FirstNormalObjectId;
}

/* Does the expression tree call a function PostgreSQL did not ship? */
static bool
calls_user_function(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (check_functions_in_node(node, is_user_function, context))
		return true;
	return expression_tree_walker(node, calls_user_function, context);
}

/*
 * Does inserting into index run only PostgreSQL's own code, and finish its
 * checks at once? (An index of a DBA's may use an operator class, or an
 * expression or predicate, with functions another role owns.)
 */
static bool
index_runs_only_builtin_code(Relation index)
{
	if (index->rd_rel->relam >= FirstNormalObjectId || index->rd_index->indisexclusion ||
		!index->rd_index->indimmediate)
		return false;
	for (int i = 0; i < IndexRelationGetNumberOfKeyAttributes(index); i++)
		if (index->rd_opfamily[i] >= FirstNormalObjectId)
			return false;
	return !calls_user_function((Node *) RelationGetIndexExpressions(index), NULL) &&
		!calls_user_function((Node *) RelationGetIndexPredicate(index), NULL);
}

/* Do all of rel's indexes run only PostgreSQL's own code? */
static bool
log_indexes_as_made(Relation rel)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *cell;
	bool		as_made = true;

	foreach(cell, indexes)
	{
		Relation	index = open_index_to_read(lfirst_oid(cell));

		as_made = index_runs_only_builtin_code(index);
		index_close(index, NoLock);
		if (!as_made)
			break;
	}
	list_free(indexes);
	return as_made;
}

/*
 * Does a trigger of rel other than hubroute's own hubroute.log_changed()
 * (which a log insert of hubroute's ignores) fire on INSERT?
 */
static bool
has_insert_trigger(Relation rel)
{
	TriggerDesc *triggers = rel->trigdesc;
	List	   *name = list_make2(makeString("hubroute"), makeString("log_changed"));
	Oid			log_changed = LookupFuncName(name, 0, NULL, true);

	for (int i = 0; triggers != NULL && i < triggers->numtriggers; i++)
		if (TRIGGER_FOR_INSERT(triggers->triggers[i].tgtype) &&
			triggers->triggers[i].tgfoid != log_changed)
			return true;
	return false;
}

/* Is rel (assignments) as the extension made it? Fills the column numbers. */
static bool
log_table_as_made(Relation rel)
{
	if (rel->rd_rel->relkind != RELKIND_RELATION || has_insert_trigger(rel) ||
		rel->rd_rel->relrowsecurity || rel->rd_rules != NULL)
		return false;
	if (!log_columns_as_made(rel) || !log_check_as_made(rel) || !log_indexes_as_made(rel))
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

/* Runs a saved INSERT as hubroute_logger. */
static void
insert_as_internal(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes,
				   Datum *values, const char *nulls)
{
	InternalSql internal;

	internal_sql_begin(&internal, INTERNAL_LOGGER);
	spi_run(spi_plan(cache, sql, nargs, argtypes), values, nulls, false, 0);
	internal_sql_end(&internal);
}

/*
 * Logs through SQL: an ordinary INSERT, for a table a DBA has changed. The
 * id is values[LOG_ID] when with_id (taken from the identity sequence, as
 * its default would), else the column's default.
 */
static void
log_insert_sql(const Datum *values, const bool *nulls, bool with_id)
{
	int			first = with_id ? LOG_ID : LOG_TICKET_ID;
	Oid			argtypes[LOG_COLUMN_COUNT];
	char		sql_nulls[LOG_COLUMN_COUNT];

	for (int c = first; c < LOG_COLUMN_COUNT; c++)
	{
		argtypes[c - first] = log_columns[c].type;
		sql_nulls[c - first] = nulls[c] ? 'n' : ' ';
	}
	logging = true;
	PG_TRY();
	{
		if (with_id)
			insert_as_internal(&log_plan_with_id,
							   "INSERT INTO hubroute.assignments (id, ticket_id, conversation_id, user_id,"
							   " team_id, method, reason, at, channel_id)"
							   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
							   LOG_COLUMN_COUNT, argtypes, (Datum *) values, sql_nulls);
		else
			insert_as_internal(&log_plan,
							   "INSERT INTO hubroute.assignments"
							   " (ticket_id, conversation_id, user_id, team_id, method, reason, at, channel_id)"
							   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
							   LOG_COLUMN_COUNT - 1, argtypes, (Datum *) values + 1, sql_nulls);
	}
	PG_FINALLY();
	{
		logging = false;
	}
	PG_END_TRY();
}

/* Logs a decision (routed, manual, reply or import), assigned or not, of an item in channel_id. */
void
decision_log(ItemKind kind, int64 item_id, int64 channel_id, const RoutingDecision *decision)
{
	Relation	rel = open_to_insert(hubroute_relid(TABLE_ASSIGNMENTS));
	Datum		values[LOG_COLUMN_COUNT];
	bool		nulls[LOG_COLUMN_COUNT] = {false};

	if (log_relid != RelationGetRelid(rel))
	{
		log_direct = log_table_as_made(rel);
		log_relid = RelationGetRelid(rel);
	}
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
	if (!log_direct)
	{
		AttrNumber	id = relation_column(RelationGetDescr(rel), "assignments", "id", INT8OID);
		Oid			sequence = getIdentitySequence(RelationGetRelid(rel), id, true);

		table_close(rel, NoLock);
		values[LOG_ID] = Int64GetDatum(OidIsValid(sequence) ? nextval_internal(sequence, false) : 0);
		log_insert_sql(values, nulls, OidIsValid(sequence));
		events_notify(kind, item_id, channel_id, decision, DatumGetInt64(values[LOG_ID]));
		return;
	}
	values[LOG_ID] = Int64GetDatum(nextval_internal(log_sequence, false));
	log_insert_direct(rel, values, nulls);
	table_close(rel, NoLock);
	events_notify(kind, item_id, channel_id, decision, DatumGetInt64(values[LOG_ID]));
}

/*
 * Has item_id a decision in the log already? (A restored item comes with
 * its log; an imported one does not.)
 */
bool
decision_log_has_item(ItemKind kind, int64 item_id)
{
	return hubroute_has_row(TABLE_ASSIGNMENTS, item_kind_info(kind)->id_column, item_id);
}

/*
 * Is a restore loading hubroute's tables? pg_restore, or psql running a
 * pg_dump script, loads the log's rows with their ids before any item
 * (pg_dump orders the extension's tables by their foreign keys; the log has
 * none) and sets the sequences only at its end, so until then the log's
 * identity sequence is behind its rows, where hubroute's own inserts never
 * leave it. Meanwhile hubroute changes no data (issue 8): restored items
 * are counted as they are and logged nowhere, restored replies assign no
 * one. Asked once per statement, as hubroute_internal.
 */
bool
restore_in_progress(void)
{
	Relation	rel;
	AttrNumber	id;
	Oid			sequence;
	char	   *sql;
	InternalSql internal;
	bool		isnull;

	if (restoring_lxid == MyProc->lxid && restoring_statement == GetCurrentStatementStartTimestamp())
		return restoring;
	rel = open_to_read(hubroute_relid(TABLE_ASSIGNMENTS));
	id = relation_column(RelationGetDescr(rel), "assignments", "id", INT8OID);
	sequence = getIdentitySequence(RelationGetRelid(rel), id, true);
	table_close(rel, NoLock);
	restoring = false;
	if (OidIsValid(sequence))
	{
		sql = psprintf("SELECT (SELECT pg_catalog.max(a.id) FROM hubroute.assignments a)"
					   " OPERATOR(pg_catalog.>=) (SELECT CASE WHEN s.is_called"
					   " THEN s.last_value OPERATOR(pg_catalog.+) 1 ELSE s.last_value END FROM %s s)",
					   quote_qualified_identifier(get_namespace_name(get_rel_namespace(sequence)),
												  get_rel_name(sequence)));
		internal_sql_begin(&internal, INTERNAL_READER);
		if (spi_run_latest(spi_prepare_once(sql, 0, NULL), NULL, NULL, 1) == 1)
			restoring = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
												   &isnull)) && !isnull;
		internal_sql_end(&internal);
	}
	restoring_lxid = MyProc->lxid;
	restoring_statement = GetCurrentStatementStartTimestamp();
	return restoring;
}

/* Queues an owner_offline e-mail for a contact owner who got an item while away. */
void
decision_notify_owner_offline(ItemKind kind, int64 item_id, int64 user_id)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, INT8OID};
	Datum		values[3] = {Int64GetDatum(user_id), Int64GetDatum(item_id), Int64GetDatum(item_id)};
	char		nulls[3] = {' ', kind == ITEM_TICKET ? ' ' : 'n', kind == ITEM_TICKET ? 'n' : ' '};

	insert_as_internal(&notify_plan,
					   "INSERT INTO hubroute.notifications (user_id, kind, ticket_id, conversation_id)"
					   " VALUES ($1, 'owner_offline', $2, $3)", 3, argtypes, values, nulls);
}

/*
 * Posts hubroute's outgoing message on an item (a call's voicemail message):
 * no author, so it assigns no one.
 */
void
decision_post_message(ItemKind kind, int64 item_id, const char *body)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, TEXTOID};
	Datum		values[3] = {Int64GetDatum(item_id), Int64GetDatum(item_id), CStringGetTextDatum(body)};
	char		nulls[3] = {kind == ITEM_TICKET ? ' ' : 'n', kind == ITEM_TICKET ? 'n' : ' ', ' '};

	insert_as_internal(&message_plan,
					   "INSERT INTO hubroute.messages (ticket_id, conversation_id, direction, body)"
					   " VALUES ($1, $2, 'outgoing', $3)", 3, argtypes, values, nulls);
}

/*
 * BEFORE INSERT, UPDATE, DELETE or TRUNCATE FOR EACH STATEMENT on
 * assignments: a user's last assignment is the latest log row naming it, and
 * a round-robin rotation resumes from its channel's last row, so log rows
 * written, changed or removed by anyone but hubroute itself (a restore, a
 * DBA) load the counts again when the transaction commits, as
 * hubroute.rebuild_counters() does.
 */
Datum
hubroute_log_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("hubroute.log_changed() must be called as a statement trigger")));
	require_hubroute_table(trigdata->tg_relation, 1u << TABLE_ASSIGNMENTS, "hubroute.log_changed()");
	if (!(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && logging) && !applying_replicated_changes())
		counters_rebuild();
	return PointerGetDatum(NULL);
}
