/*
 * config_changes.c: changes to the routing configuration reach every
 * backend's cached copy (cache.c).
 *
 * A row trigger on each configuration table (hubroute.config_changed())
 * looks at what a row change really changed:
 *  - nothing the routing reads (an UPDATE that sets a column to its own
 *    value, or changes only a column named in the trigger's arguments,
 *    such as a user's name): nothing happens, and a statement that changes
 *    no row fires no row trigger at all;
 *  - only a user's availability, which agents toggle all day: the change is
 *    applied to this backend's copy at once and, at commit, published in a
 *    ring in shared memory (shared_state.c) that every other backend
 *    replays onto its copy before it next routes. A backend that fell more
 *    than the ring behind builds its copy again;
 *  - anything else: the relcache entry of hubroute.channels is invalidated,
 *    and every backend builds its copy again (at commit; this transaction's
 *    own at its next command), the way pg_cron reloads its jobs.
 * TRUNCATE fires the same function as a statement trigger, which
 * invalidates.
 *
 * A change that may make room drains the queues (drain.c) at the end of its
 * statement (hubroute.config_drain(), a statement trigger): a user who
 * became available the queues it may take from, anything else every
 * queue. At the end of the statement, so that a statement changing many
 * rows drains once, with the copy built again once.
 *
 * Availability changes not yet committed belong to a subtransaction, whose
 * abort makes this backend build its copy again (the copy saw them). A
 * transaction that changes more availabilities than a backend could replay
 * quickly, or that is prepared for two-phase commit (its commit may come
 * from another backend), invalidates instead of publishing.
 */
#include "hubroute.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/datum.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(hubroute_config_changed);
PG_FUNCTION_INFO_V1(hubroute_config_drain);

/* More uncommitted availability changes than this: invalidate instead. */
#define MAX_PUBLISHED_CHANGES 256

typedef struct PendingAvailability
{
	AvailabilityChange change;
	SubTransactionId subxact;
} PendingAvailability;

/* This transaction's availability changes, in TopTransactionContext. */
static PendingAvailability *pending;
static int	pending_count;
static int	pending_space;

/* Drains wanted at the end of the statement: every queue, or some users'. */
#define MAX_DRAIN_USERS 64
static bool drain_every_queue = false;
static int64 drain_users[MAX_DRAIN_USERS];
static int	drain_user_count = 0;

/* The tables whose rows the cache copies. */
static const char *const config_tables[] = {
	"users", "teams", "team_members", "workspaces", "workspace_teams", "channels",
	"channel_targets", "user_skills", "customer_agent", "handoff_targets", "handoff_triggers",
	"channel_hours",
};

/* Is rel one of the configuration tables in hubroute's schema? */
static bool
is_config_table(Relation rel)
{
	if (RelationGetNamespace(rel) != hubroute_namespace())
		return false;
	for (size_t i = 0; i < lengthof(config_tables); i++)
		if (strcmp(RelationGetRelationName(rel), config_tables[i]) == 0)
			return true;
	return false;
}

/* Every backend's copy becomes stale when this transaction commits. */
static void
invalidate_all_copies(void)
{
	CacheInvalidateRelcacheByRelid(hubroute_relid(TABLE_CHANNELS));
}

/* Is column attnum one the trigger's arguments say routing never reads? */
static bool
column_ignored(Trigger *trigger, Form_pg_attribute attr)
{
	for (int i = 0; i < trigger->tgnargs; i++)
		if (strcmp(NameStr(attr->attname), trigger->tgargs[i]) == 0)
			return true;
	return false;
}

/*
 * Compares an UPDATE's old and new row on every column routing may read;
 * returns how many differ, and the last of them in *differing.
 */
static int
changed_columns(TriggerData *trigdata, AttrNumber *differing)
{
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	int			changed = 0;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);
		bool		old_null;
		bool		new_null;
		Datum		old_value;
		Datum		new_value;

		if (attr->attisdropped || column_ignored(trigdata->tg_trigger, attr))
			continue;
		old_value = heap_getattr(trigdata->tg_trigtuple, i + 1, desc, &old_null);
		new_value = heap_getattr(trigdata->tg_newtuple, i + 1, desc, &new_null);
		if (old_null == new_null &&
			(old_null || datumIsEqual(old_value, new_value, attr->attbyval, attr->attlen)))
			continue;
		changed++;
		*differing = i + 1;
	}
	return changed;
}

/* Is the row a channel given a queue? Then every configuration change drains from now on. */
static void
note_queue(TriggerData *trigdata)
{
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple
		: trigdata->tg_trigtuple;
	bool		isnull;

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) || !hubroute_rel_is(trigdata->tg_relation, TABLE_CHANNELS))
		return;
	if (DatumGetBool(heap_getattr(row, relation_column(desc, "channels", "queue", BOOLOID), desc, &isnull)))
		shared_note_queues();
}

/* Records a user's new availability until the transaction ends. */
static void
remember_availability(int64 user_id, bool available)
{
	if (pending_count == pending_space)
	{
		pending_space = Max(16, pending_space * 2);
		pending = pending == NULL
			? MemoryContextAlloc(TopTransactionContext, sizeof(PendingAvailability) * pending_space)
			: repalloc(pending, sizeof(PendingAvailability) * pending_space);
	}
	pending[pending_count].change.user_id = user_id;
	pending[pending_count].change.available = available;
	pending[pending_count].subxact = GetCurrentSubTransactionId();
	pending_count++;
}

/*
 * Is this UPDATE of hubroute.users a change of availability only? Then it
 * applies to this backend's copy now and is published at commit.
 */
static bool
availability_only(TriggerData *trigdata)
{
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	AttrNumber	differing = InvalidAttrNumber;
	AttrNumber	available_column;
	AttrNumber	id_column;
	bool		isnull;
	int64		user_id;
	bool		available;

	if (changed_columns(trigdata, &differing) == 0)
		return true;
	if (!hubroute_rel_is(trigdata->tg_relation, TABLE_USERS))
		return false;
	available_column = relation_column(desc, "users", "available", BOOLOID);
	/* Past this many, other backends are better off building their copy again. */
	if (differing != available_column || pending_count >= MAX_PUBLISHED_CHANGES)
		return false;
	id_column = relation_column(desc, "users", "id", INT8OID);
	user_id = DatumGetInt64(heap_getattr(trigdata->tg_newtuple, id_column, desc, &isnull));
	available = DatumGetBool(heap_getattr(trigdata->tg_newtuple, available_column, desc, &isnull));
	cache_set_available(user_id, available);
	remember_availability(user_id, available);
	if (available)
	{
		if (drain_user_count < MAX_DRAIN_USERS)
			drain_users[drain_user_count++] = user_id;
		else
			drain_every_queue = true;
	}
	return true;
}

/*
 * AFTER INSERT, UPDATE or DELETE FOR EACH ROW, and AFTER TRUNCATE FOR EACH
 * STATEMENT, on a configuration table: see the header.
 */
Datum
hubroute_config_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("hubroute.config_changed() must be called as a trigger")));
	if (!is_config_table(trigdata->tg_relation))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("hubroute.config_changed() fired on table \"%s\", which is not one of hubroute's configuration tables",
						RelationGetRelationName(trigdata->tg_relation)),
				 errdetail("hubroute's trigger functions work only on the tables of schema hubroute"
						   " that the extension attached them to.")));
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) && TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		availability_only(trigdata))
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		note_queue(trigdata);
	drain_every_queue = true;
	invalidate_all_copies();
	return PointerGetDatum(NULL);
}

/* Forgets the drains wanted. */
static void
forget_drains(void)
{
	drain_every_queue = false;
	drain_user_count = 0;
}

/*
 * AFTER INSERT, UPDATE or DELETE FOR EACH STATEMENT on a configuration
 * table: drains the queues the statement's changes may have made room for.
 */
Datum
hubroute_config_drain(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	int64		users[MAX_DRAIN_USERS];
	int			user_count = drain_user_count;
	bool		every_queue = drain_every_queue;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!is_config_table(trigdata->tg_relation))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("hubroute.config_drain() must be called as a statement trigger on one of hubroute's configuration tables")));
	if (!every_queue && user_count == 0)
		return PointerGetDatum(NULL);
	memcpy(users, drain_users, sizeof(int64) * user_count);
	forget_drains();
	if (applying_replicated_changes())
		return PointerGetDatum(NULL);
	counters_ready();
	if (!shared_queues_seen())
		return PointerGetDatum(NULL);	/* no queue to drain: no SQL, no rebuild */
	/* A restore loads configuration rows too, and changes nothing (decision_log.c). */
	if (restore_in_progress())
		return PointerGetDatum(NULL);
	/* This statement's changes reach this backend's copy (its invalidations). */
	CommandCounterIncrement();
	if (every_queue)
		drain_all_queues();
	else
		for (int i = 0; i < user_count; i++)
			drain_for_available_user(users[i]);
	return PointerGetDatum(NULL);
}

/*
 * Replays onto the copy the availability changes other backends committed
 * after *seen, then this transaction's own (which are newer for their
 * users: a row lock kept anyone else from changing them since); forgets
 * the copy when the ring no longer holds them all.
 */
void
config_changes_replay(uint64 *seen)
{
	uint64		first;
	uint64		last;

	if (shared_availability_seen() == *seen)
		return;
	decision_lock_shared();
	if (!shared_availability_since(*seen, &first, &last))
		cache_forget();
	else
	{
		for (uint64 seq = first; seq <= last; seq++)
		{
			AvailabilityChange change = shared_availability(seq);

			cache_set_available(change.user_id, change.available);
		}
		for (int i = 0; i < pending_count; i++)
			cache_set_available(pending[i].change.user_id, pending[i].change.available);
	}
	decision_unlock();
	*seen = last;
}

/* Forgets the transaction's changes (their memory goes with TopTransactionContext). */
static void
forget_pending(void)
{
	pending = NULL;
	pending_count = pending_space = 0;
}

/* Transaction end: publish what committed, rebuild after what did not. */
static void
config_changes_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE)
		forget_drains();
	if (pending_count == 0)
		return;
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			(void) shared_state_lock();	/* attached now: COMMIT must not fail */
			return;
		case XACT_EVENT_PRE_PREPARE:
			invalidate_all_copies();
			return;
		case XACT_EVENT_COMMIT:
			for (int i = 0; i < pending_count; i++)
				shared_publish_availability(pending[i].change);
			forget_pending();
			return;
		case XACT_EVENT_ABORT:
			cache_forget();
			forget_pending();
			return;
		case XACT_EVENT_PREPARE:
			cache_forget();
			forget_pending();
			return;
		default:
			return;
	}
}

/* Subtransaction abort: its changes are a suffix of the list, and the copy saw them. */
static void
config_changes_subxact_callback(SubXactEvent event, SubTransactionId subxact,
								SubTransactionId parent pg_attribute_unused(),
								void *arg pg_attribute_unused())
{
	int			first = pending_count;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	while (first > 0 && pending[first - 1].subxact >= subxact)
		first--;
	if (first == pending_count)
		return;
	pending_count = first;
	cache_forget();
}

/* Called once from _PG_init. */
void
config_changes_register_callbacks(void)
{
	RegisterXactCallback(config_changes_xact_callback, NULL);
	RegisterSubXactCallback(config_changes_subxact_callback, NULL);
}
