/*
 * assign.c: owners set after insert, on the caller's behalf: by a reply,
 * and by hubroute.route_ticket() / hubroute.route_conversation(). (By hand,
 * an owner is set with a plain UPDATE, which the item triggers check.)
 *
 * Both go through an UPDATE of the item run as the caller, with no switch
 * of user (internal_sql.c, rule 4): the caller needs its own rights on the
 * item (UPDATE of owner_id, SELECT of the columns read), and row-level
 * security applies as if it had run the UPDATE itself. The BEFORE UPDATE
 * trigger checks the workspace's team restriction and the AFTER trigger
 * logs the change and moves the counters. The code issuing the UPDATE
 * records the owner change it makes (an OwnerChange: which item, on whose
 * behalf, what its decision counted) for the item's triggers to read; an
 * UPDATE of any other item, even one made by a trigger meanwhile, is a
 * manual change.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_route_ticket);
PG_FUNCTION_INFO_V1(hubroute_route_conversation);

/* An owner change being made on the caller's behalf, by an UPDATE of one item. */
typedef struct OwnerChange
{
	ItemKind	kind;
	int64		item_id;
	AssignSource source;
	int			effect;			/* SOURCE_ROUTED: the count its decision added, or -1 */
	struct OwnerChange *outer;	/* one in progress around this one */
} OwnerChange;

static OwnerChange *owner_changes = NULL;	/* the innermost in progress */
static SPIPlanPtr reply_plans[2];
static SPIPlanPtr route_plans[2];
static SPIPlanPtr lock_plans[2];
static SPIPlanPtr last_decision_plans[2];
static SPIPlanPtr handoff_plans[2];		/* by as_hubroute */
static SPIPlanPtr handoff_lock_plans[2];
static SPIPlanPtr waiting_plans[2];
static SPIPlanPtr waiting_lock_plans[2];
static SPIPlanPtr queue_probe_plans[2];

/* The owner change in progress for the item, or NULL. */
static OwnerChange *
owner_change_of(ItemKind kind, int64 item_id)
{
	for (OwnerChange *change = owner_changes; change != NULL; change = change->outer)
		if (change->kind == kind && change->item_id == item_id)
			return change;
	return NULL;
}

/* On whose behalf the item's owner is being changed: manual unless recorded. */
AssignSource
assign_source_of(ItemKind kind, int64 item_id)
{
	OwnerChange *change = owner_change_of(kind, item_id);

	return change != NULL ? change->source : SOURCE_MANUAL;
}

/* The method logged for an owner change from source (routed: its decision's). */
const char *
assign_source_method(AssignSource source)
{
	switch (source)
	{
		case SOURCE_MANUAL:
			return "manual";
		case SOURCE_REPLY:
			return "reply";
		case SOURCE_ROUTED:
		case SOURCE_HANDOFF:
			return NULL;
	}
	pg_unreachable();
}

/* Does an owner change from source log its own decision, counted at once? */
bool
assign_source_decides(AssignSource source)
{
	return assign_source_method(source) == NULL;
}

/* Error context: what hubroute was doing on the caller's behalf. */
static void
on_behalf_context(void *arg)
{
	errcontext("%s", (const char *) arg);
}

/*
 * Runs a saved UPDATE of change's item, with change recorded for its
 * triggers, as whoever SPI was connected as (the caller, or hubroute_logger
 * after connect_as()); returns the number of rows updated.
 */
static int
run_owner_change(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes, Datum *values,
				 const char *nulls, OwnerChange *change, const char *context)
{
	ErrorContextCallback callback = {.callback = on_behalf_context,.arg = (void *) context,
	.previous = error_context_stack};
	int			updated;

	change->outer = owner_changes;
	owner_changes = change;
	error_context_stack = &callback;
	PG_TRY();
	{
		updated = spi_run(spi_plan(cache, sql, nargs, argtypes), values, nulls, false, 0);
	}
	PG_FINALLY();
	{
		owner_changes = change->outer;
		error_context_stack = callback.previous;
	}
	PG_END_TRY();
	return updated;
}

/*
 * An outgoing message by author_id on an open unassigned item makes the
 * author its owner (method reply), taking it over from the customer agent
 * if that handled it: an UPDATE run as the role that inserted the message.
 * A restored message assigns no one.
 */
void
assign_reply(ItemKind kind, int64 item_id, int64 author_id)
{
	const ItemKindInfo *info = item_kind_info(kind);
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(item_id), Int64GetDatum(author_id)};
	char	   *sql = reply_plans[kind] ? NULL :
		psprintf("UPDATE hubroute.%s SET owner_id = $2, handled_by = 'human'"
				 " WHERE id" EQ "$1 AND owner_id IS NULL AND status" EQ "'open'", info->table);
	char	   *context = psprintf("assigning %s %lld to user %lld, the author of an outgoing reply",
								   info->noun, (long long) item_id, (long long) author_id);
	OwnerChange change = {.kind = kind,.item_id = item_id,.source = SOURCE_REPLY,.effect = -1};

	if (restore_in_progress())
		return;
	spi_connect();
	(void) run_owner_change(&reply_plans[kind], sql, 2, argtypes, values, NULL, &change, context);
	spi_finish();
}

/*
 * May the item's owner and team (when changed) own items of the rule's
 * workspace? A refusal is an error, unless quietly is set.
 */
bool
assign_permitted(const ChannelInfo *channel, ItemKind kind, const ItemRow *row,
				 bool check_owner, bool check_team, bool quietly)
{
	const char *noun = item_kind_info(kind)->noun;
	const UserInfo *owner = row->has_owner ? cache_user(row->owner_id) : NULL;

	if (check_owner && owner != NULL && !workspace_allows_user(channel, owner))
	{
		if (quietly)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("user %lld cannot own %s %lld", (long long) row->owner_id, noun, (long long) row->id),
				 errdetail("Workspace %lld is restricted to the teams in hubroute.workspace_teams,"
						   " and the user is a member of none of them.", (long long) channel->rule.workspace_id),
				 errhint("Add the user to one of the workspace's teams, or pick one of their members.")));
	}
	if (check_team && row->has_team && !workspace_allows_team(channel, row->team_id))
	{
		if (quietly)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("team %lld cannot own %s %lld", (long long) row->team_id, noun, (long long) row->id),
				 errdetail("Workspace %lld is restricted to other teams in hubroute.workspace_teams.",
						   (long long) channel->rule.workspace_id)));
	}
	return true;
}

/* The columns of an item that routing reads, up to the table name; then "i WHERE ...". */
#define ITEM_LOCK_SELECT \
	"SELECT i.id, i.channel_id, i.contact_id, i.required_skills, i.status, i.owner_id," \
	" i.team_id, i.handled_by, i.assigned_at, i.created_at, i.priority FROM hubroute."

/*
 * Runs a saved query locking item_id (SPI connected) and reads the row
 * found into row, in caller's memory: its skills must outlive SPI's. True
 * when found.
 */
static bool
read_locked_item(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes, Datum *values,
				 ItemKind kind, MemoryContext caller, ItemRow *row)
{
	MemoryContext spi;

	if (spi_run(spi_plan(cache, sql, nargs, argtypes), values, NULL, false, 1) != 1)
		return false;
	spi = MemoryContextSwitchTo(caller);
	item_row_read_result(SPI_tuptable->tupdesc, SPI_tuptable->vals[0], kind, row);
	MemoryContextSwitchTo(spi);
	return true;
}

/* Connects SPI to run as the caller or, for hubroute's own decision, as hubroute_logger. */
static void
connect_as(bool as_hubroute, InternalSql *internal)
{
	if (as_hubroute)
		internal_sql_begin(internal, INTERNAL_LOGGER);
	else
		spi_connect();
}

/* Ends connect_as(). */
static void
finish_as(bool as_hubroute, const InternalSql *internal)
{
	if (as_hubroute)
		internal_sql_end(internal);
	else
		spi_finish();
}

/*
 * Locks item_id FOR UPDATE as the caller and reads it into row (which owns
 * what it holds); errors unless it exists for the caller, is open and is
 * unassigned.
 */
static void
lock_routable_item(ItemKind kind, int64 item_id, ItemRow *row)
{
	const ItemKindInfo *info = item_kind_info(kind);
	char	   *sql = lock_plans[kind] ? NULL :
		psprintf(ITEM_LOCK_SELECT "%s i WHERE i.id" EQ "$1 FOR UPDATE", info->table);
	ErrorContextCallback callback = {.callback = on_behalf_context,
		.arg = psprintf("routing %s %lld", info->noun, (long long) item_id),
	.previous = error_context_stack};
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(item_id)};
	bool		found;

	spi_connect();
	error_context_stack = &callback;
	found = read_locked_item(&lock_plans[kind], sql, 1, argtypes, values, kind, caller, row);
	error_context_stack = callback.previous;
	spi_finish();
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("%s %lld does not exist", info->noun, (long long) item_id)));
	if (!row->open)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s %lld is closed", info->noun, (long long) item_id),
				 errhint("Only open items are routed; reopen it with status = 'open' first.")));
	if (row->has_owner)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s %lld already has owner %lld", info->noun, (long long) item_id,
						(long long) row->owner_id),
				 errhint("To move it, UPDATE hubroute.%s SET owner_id = ... WHERE id = %lld.",
						 info->table, (long long) item_id)));
}

/*
 * Would decision, which assigns nobody, repeat the item's last logged
 * decision? Then routing it again changes nothing and writes nothing.
 */
static bool
repeats_last_decision(ItemKind kind, const ItemRow *row, const RoutingDecision *decision)
{
	Oid			argtypes[3] = {INT8OID, TEXTOID, TEXTOID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', decision->reason ? ' ' : 'n'};
	char	   *sql = last_decision_plans[kind] ? NULL :
		psprintf("SELECT a.user_id IS NULL AND a.method" EQ "$2 AND a.reason IS NOT DISTINCT FROM $3"
				 "  FROM hubroute.assignments a WHERE a.%s" EQ "$1 ORDER BY a.id DESC LIMIT 1",
				 item_kind_info(kind)->id_column);
	InternalSql internal;
	bool		repeats = false;
	bool		isnull;

	if (decision->assigned || decision->customer_agent != row->customer_agent)
		return false;
	values[0] = Int64GetDatum(row->id);
	values[1] = CStringGetTextDatum(decision->method);
	values[2] = decision->reason ? CStringGetTextDatum(decision->reason) : (Datum) 0;
	internal_sql_begin(&internal, INTERNAL_READER);
	if (spi_run(spi_plan(&last_decision_plans[kind], sql, 3, argtypes), values, nulls, true, 1) == 1)
		repeats = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	internal_sql_end(&internal);
	return repeats;
}

/*
 * Decides an existing item's owner by its channel's rule. A routed owner is
 * locked as referred to; should it be gone by then, the item is decided
 * again. Returns the handle of the count the decision added, or -1.
 */
static int
decide_existing(ItemKind kind, const ItemRow *row, bool from_queue, RoutingDecision *decision)
{
	for (;;)
	{
		RoutingRequest request = {.kind = kind,.item = row,.from_queue = from_queue};
		int			effect;

		cache_refresh();
		request.channel = integrity_item_channel(row->channel_id, kind);
		effect = route_item(&request, decision);
		if (!decision->assigned)
			return effect;
		lock_reference(REFERENCE_USER, decision->user_id);
		if (cache_still_current() || hubroute_has_row(TABLE_USERS, "id", decision->user_id))
			return effect;
		if (effect >= 0)
			counters_cancel(effect);
	}
}

/*
 * The count the decision of a routed owner change added, taken by the
 * item's AFTER UPDATE trigger (once); -1 when none.
 */
int
assign_take_routed_effect(ItemKind kind, int64 item_id)
{
	OwnerChange *change = owner_change_of(kind, item_id);
	int			effect;

	if (change == NULL || !assign_source_decides(change->source))
		return -1;
	effect = change->effect;
	change->effect = -1;
	return effect;
}

/*
 * Sets the owner (or handled_by) of change's decision, as the caller or, for
 * hubroute's own drain, as hubroute_logger.
 */
static bool
update_routed_item(OwnerChange *change, const RoutingDecision *decision, bool as_hubroute)
{
	ItemKind	kind = change->kind;
	int64		item_id = change->item_id;
	const ItemKindInfo *info = item_kind_info(kind);
	Oid			argtypes[4] = {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID};
	Datum		values[4] = {Int64GetDatum(item_id), Int64GetDatum(decision->user_id),
		CStringGetTextDatum(decision->customer_agent ? "customer_agent" : "human"),
	TimestampTzGetDatum(decision->at)};
	char		nulls[4] = {' ', decision->assigned ? ' ' : 'n', ' ', ' '};
	char	   *sql = route_plans[kind] ? NULL :
		psprintf("UPDATE hubroute.%s SET owner_id = $2, handled_by = $3, assigned_at = $4"
				 " WHERE id" EQ "$1 AND owner_id IS NULL AND status" EQ "'open'", info->table);
	char	   *context = psprintf("routing %s %lld", info->noun, (long long) item_id);
	InternalSql internal;
	bool		updated;

	connect_as(as_hubroute, &internal);
	updated = run_owner_change(&route_plans[kind], sql, 4, argtypes, values, nulls, change, context) == 1;
	finish_as(as_hubroute, &internal);
	return updated;
}

/*
 * Runs a saved query for one item, as the caller or, for hubroute's own
 * decision, as hubroute_logger, and reads the row found into row (which
 * owns what it holds), and its priority (the column after the ones
 * ITEM_LOCK_SELECT names routing reads) into *priority unless NULL. True
 * when found.
 */
static bool
read_item_as(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes, Datum *values, ItemKind kind,
			 bool as_hubroute, ItemRow *row, int16 *priority)
{
	MemoryContext caller = CurrentMemoryContext;
	InternalSql internal;
	bool		found;
	bool		isnull;

	connect_as(as_hubroute, &internal);
	found = read_locked_item(cache, sql, nargs, argtypes, values, kind, caller, row);
	if (found && priority != NULL)
		*priority = DatumGetInt16(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 11, &isnull));
	finish_as(as_hubroute, &internal);
	return found;
}

/*
 * Locks conversation_id as its UPDATE will (FOR NO KEY UPDATE: no wait for
 * a message being inserted on it, whose foreign key holds FOR KEY SHARE)
 * and reads it into row (which owns what it holds), as the caller or, for
 * hubroute's own handoff, as hubroute_logger; false when there is no such
 * row for that role.
 */
bool
assign_lock_for_handoff(int64 conversation_id, bool as_hubroute, ItemRow *row)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(conversation_id)};

	return read_item_as(&handoff_lock_plans[as_hubroute],
						ITEM_LOCK_SELECT "conversations i WHERE i.id" EQ "$1 FOR NO KEY UPDATE",
						1, argtypes, values, ITEM_CONVERSATION, as_hubroute, row, NULL);
}

/*
 * Hands conversation_id to a human by decision (an owner, or none: then it
 * waits in Unassigned, or is closed when close is set), as the caller or,
 * for hubroute's own handoff, as hubroute_logger; effect is the count the
 * decision added. True when the row was updated.
 */
bool
assign_handoff(int64 conversation_id, const RoutingDecision *decision, int effect, bool close,
			   bool as_hubroute)
{
	Oid			argtypes[4] = {INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID};
	Datum		values[4] = {Int64GetDatum(conversation_id), Int64GetDatum(decision->user_id),
		TimestampTzGetDatum(decision->at), CStringGetTextDatum(close ? "closed" : "open")};
	char		nulls[4] = {' ', decision->assigned ? ' ' : 'n', ' ', ' '};
	const char *sql = "UPDATE hubroute.conversations"
		"   SET owner_id = $2, handled_by = 'human', assigned_at = $3, status = $4"
		" WHERE id" EQ "$1 AND handled_by" EQ "'customer_agent' AND status" EQ "'open'";
	char	   *context = psprintf("handing conversation %lld to a human", (long long) conversation_id);
	OwnerChange change = {.kind = ITEM_CONVERSATION,.item_id = conversation_id,
	.source = SOURCE_HANDOFF,.effect = effect};
	InternalSql internal;
	bool		updated;

	connect_as(as_hubroute, &internal);
	updated = run_owner_change(&handoff_plans[as_hubroute], sql, 4, argtypes, values, nulls, &change,
							   context) == 1;
	finish_as(as_hubroute, &internal);
	if (change.effect >= 0)
		counters_cancel(change.effect); /* the row was not updated after all */
	return updated;
}

/* Routes an existing open unassigned item now; returns the owner or NULL. */
static Datum
route_existing(FunctionCallInfo fcinfo, ItemKind kind)
{
	int64		item_id = PG_GETARG_INT64(0);
	ItemRow		row;
	RoutingDecision decision;
	OwnerChange change = {.kind = kind,.item_id = item_id,.source = SOURCE_ROUTED};
	bool		updated;

	counters_ready();
	lock_routable_item(kind, item_id, &row);
	lock_reference(REFERENCE_CHANNEL, row.channel_id);
	change.effect = decide_existing(kind, &row, false, &decision);
	if (repeats_last_decision(kind, &row, &decision))
		PG_RETURN_NULL();
	updated = update_routed_item(&change, &decision, false);
	if (change.effect >= 0)
		counters_cancel(change.effect); /* the row was not updated after all */
	if (!updated)
		PG_RETURN_NULL();
	decision_log(kind, item_id, row.channel_id, &decision);
	if (decision.notify_owner_offline)
		decision_notify_owner_offline(kind, item_id, decision.user_id);
	if (decision.message != NULL)
		decision_post_message(kind, item_id, decision.message);
	if (!decision.assigned)
		PG_RETURN_NULL();
	PG_RETURN_INT64(decision.user_id);
}

/* hubroute.route_ticket(id bigint) returns bigint */
Datum
hubroute_route_ticket(PG_FUNCTION_ARGS)
{
	return route_existing(fcinfo, ITEM_TICKET);
}

/* hubroute.route_conversation(id bigint) returns bigint */
Datum
hubroute_route_conversation(PG_FUNCTION_ARGS)
{
	return route_existing(fcinfo, ITEM_CONVERSATION);
}

/*
 * Reads the first item waiting in channel_id's queue after *cursor, in the
 * order the queue is served (highest priority, oldest, lowest id), into row
 * (which owns what it holds), without locking it; the cursor moves past it.
 * As the caller or, for hubroute's own drain, as hubroute_logger. False
 * when there is none.
 */
bool
assign_next_waiting(ItemKind kind, int64 channel_id, QueueCursor *cursor, bool as_hubroute, ItemRow *row)
{
	Oid			argtypes[4] = {INT8OID, INT4OID, TIMESTAMPTZOID, INT8OID};
	Datum		values[4] = {Int64GetDatum(channel_id), Int32GetDatum(cursor->priority),
		TimestampTzGetDatum(cursor->created_at), Int64GetDatum(cursor->id)};
	char	   *sql = waiting_plans[kind] ? NULL :
		psprintf(ITEM_LOCK_SELECT "%s i"
				 " WHERE i.channel_id" EQ "$1 AND i.owner_id IS NULL AND i.status" EQ "'open'"
				 "   AND i.handled_by" EQ "'human'"
				 "   AND (i.priority OPERATOR(pg_catalog.<) $2 OR (i.priority" EQ "$2"
				 "        AND (i.created_at, i.id) OPERATOR(pg_catalog.>) ($3, $4)))"
				 " ORDER BY i.priority DESC, i.created_at, i.id LIMIT 1",
				 item_kind_info(kind)->table);
	int16		priority;

	if (!read_item_as(&waiting_plans[kind], sql, 4, argtypes, values, kind, as_hubroute, row, &priority))
		return false;
	cursor->priority = priority;
	cursor->created_at = row->created_at;
	cursor->id = row->id;
	return true;
}

/*
 * Locks a waiting item read by assign_next_waiting() unless another
 * transaction holds it, and reads it again into row; false when it is
 * locked, or waits no more.
 */
bool
assign_lock_waiting(ItemKind kind, ItemRow *row, bool as_hubroute)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(row->id)};
	char	   *sql = waiting_lock_plans[kind] ? NULL :
		psprintf(ITEM_LOCK_SELECT "%s i"
				 " WHERE i.id" EQ "$1 AND i.owner_id IS NULL AND i.status" EQ "'open'"
				 "   AND i.handled_by" EQ "'human' FOR UPDATE SKIP LOCKED",
				 item_kind_info(kind)->table);
	return read_item_as(&waiting_lock_plans[kind], sql, 1, argtypes, values, kind, as_hubroute, row, NULL);
}

/* Do two readings of an item require the same skills? */
static bool
same_skills(const ItemRow *a, const ItemRow *b)
{
	return a->skill_count == b->skill_count &&
		(a->skill_count == 0 || memcmp(a->skills, b->skills, sizeof(int64) * a->skill_count) == 0);
}

/*
 * Hands a waiting item, read by assign_next_waiting(), to a user who can
 * take it now by its channel's rule (logged with the distribution as method
 * and a reason that says it came from the queue), as the caller or, for
 * hubroute's own drain, as hubroute_logger. The decision comes first, then
 * the lock: an item nobody can take is never locked, and one another
 * transaction holds (or that changed meanwhile) gives its decision back.
 */
QueueOutcome
assign_from_queue(ItemKind kind, const ItemRow *row, bool as_hubroute)
{
	RoutingDecision decision;
	OwnerChange change = {.kind = kind,.item_id = row->id,.source = SOURCE_ROUTED};
	ItemRow		locked;
	bool		updated;

	change.effect = decide_existing(kind, row, true, &decision);
	if (!decision.assigned)
	{
		if (change.effect >= 0)
			counters_cancel(change.effect);
		return QUEUE_NOBODY;
	}
	locked.id = row->id;
	if (!assign_lock_waiting(kind, &locked, as_hubroute) ||
		!item_rows_agree(row, &locked) || !same_skills(row, &locked))
	{
		if (change.effect >= 0)
			counters_cancel(change.effect);
		return QUEUE_BUSY;
	}
	decision.reason = psprintf("from the queue: %s", decision.reason);
	updated = update_routed_item(&change, &decision, as_hubroute);
	if (change.effect >= 0)
		counters_cancel(change.effect); /* the row was not updated after all */
	if (!updated)
		return QUEUE_BUSY;
	decision_log(kind, row->id, row->channel_id, &decision);
	if (decision.notify_owner_offline)
		decision_notify_owner_offline(kind, row->id, decision.user_id);
	return QUEUE_ASSIGNED;
}

/*
 * Is any item, locked or not, waiting in channel_id's queue, with every
 * committed change seen? Asked as hubroute_internal, which row security
 * hides nothing from: the answer is kept for every role.
 */
bool
assign_queue_has_items(ItemKind kind, int64 channel_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(channel_id)};
	char	   *sql = queue_probe_plans[kind] ? NULL :
		psprintf("SELECT 1 FROM hubroute.%s i WHERE i.channel_id" EQ "$1 AND i.owner_id IS NULL"
				 " AND i.status" EQ "'open' AND i.handled_by" EQ "'human' LIMIT 1",
				 item_kind_info(kind)->table);
	InternalSql internal;
	bool		found;

	internal_sql_begin(&internal, INTERNAL_READER);
	found = spi_run_latest(spi_plan(&queue_probe_plans[kind], sql, 1, argtypes), values, NULL, 1) == 1;
	internal_sql_end(&internal);
	return found;
}
