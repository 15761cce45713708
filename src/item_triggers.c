/*
 * item_triggers.c: the triggers on hubroute.tickets and
 * hubroute.conversations.
 *
 * Each trigger function checks that it fired on the table it was made for
 * (by OID, relations.c). See locking.c for why routing stays exact under
 * concurrency with no lock held to commit, and pending.c for how a decision
 * made before its row is inserted is checked against the row as stored.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_item_before_insert);
PG_FUNCTION_INFO_V1(hubroute_item_before_update);
PG_FUNCTION_INFO_V1(hubroute_item_count);
PG_FUNCTION_INFO_V1(hubroute_item_truncated);

/* The item kind of a statement trigger's table, or an error when called otherwise. */
static ItemKind
statement_trigger_kind(FunctionCallInfo fcinfo, const char *name)
{
	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_FOR_STATEMENT(((TriggerData *) fcinfo->context)->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a statement trigger", name)));
	return item_kind_of(((TriggerData *) fcinfo->context)->tg_relation, name);
}

/*
 * tuple with the columns a decision sets (owner, handled_by, assigned_at),
 * built in the caller's memory context; row is updated to match.
 */
static HeapTuple
row_apply_decision(Relation rel, ItemKind kind, HeapTuple tuple, ItemRow *row,
				   const RoutingDecision *decision)
{
	int			columns[3];
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			n = 0;

	if (decision->method == NULL || row->has_assigned_at)
		return tuple;			/* nothing decided, or decided before (an import) */
	columns[n] = item_attnum(rel, kind, ITEM_COLUMN_ASSIGNED_AT);
	values[n++] = TimestampTzGetDatum(decision->at);
	row->has_assigned_at = true;
	row->assigned_at = decision->at;
	if (!row->has_owner)
	{
		columns[n] = item_attnum(rel, kind, ITEM_COLUMN_OWNER_ID);
		values[n] = Int64GetDatum(decision->user_id);
		nulls[n++] = !decision->assigned;
		row->has_owner = decision->assigned;
		row->owner_id = decision->assigned ? decision->user_id : 0;
	}
	/* Only a customer-agent rule changes handled_by: a bad value still meets its CHECK. */
	if (decision->customer_agent)
	{
		columns[n] = item_attnum(rel, kind, ITEM_COLUMN_HANDLED_BY);
		values[n++] = CStringGetTextDatum("customer_agent");
		row->customer_agent = true;
	}
	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), n, columns, values, nulls);
}

/* Will the new row be routed by its contact's owner? */
static bool
routes_by_contact(const ItemRow *row, const ChannelInfo *channel)
{
	return !row->has_assigned_at && !row->has_owner && row->open && !row->customer_agent &&
		channel->rule.assign_to == ASSIGN_CONTACT_OWNER;
}

/*
 * An item that comes with assigned_at was decided elsewhere (an import, or
 * a restore): it is kept as it is, counted, and logged as an import unless
 * the log already has its history or a restore is loading it (a restore
 * brings the log along).
 */
static int
decide_import(ItemKind kind, const ItemRow *row, RoutingDecision *decision)
{
	bool		logged = !decision_log_has_item(kind, row->id) && !restore_in_progress();

	decision->at = row->assigned_at;
	decision->assigned = row->has_owner;
	decision->user_id = row->owner_id;
	decision->has_team = row->has_team;
	decision->team_id = row->team_id;
	if (logged)
	{
		decision->method = "import";
		decision->reason = pstrdup(row->has_owner ? "imported with its owner"
								   : "imported without an owner");
	}
	if (!row->has_owner)
		return -1;
	return counters_gain(kind, row->owner_id, row->open ? 1 : 0,
						 logged ? row->assigned_at : DT_NOBEGIN);
}

/*
 * The decision for a new item in channel: its import, the owner it names,
 * or its channel's rule. Returns the counters.c handle of what it counted,
 * or -1.
 */
static int
decide(ItemKind kind, const ItemRow *row, ChannelInfo *channel, RoutingDecision *decision)
{
	RoutingRequest request = {.kind = kind,.item = row,.channel = channel};
	int			effect;

	memset(decision, 0, sizeof(*decision));
	if (kind == ITEM_TICKET && handoff_workflow_decision(row, decision, &effect))
		return effect;			/* the ticket of a workflow handoff */
	if (row->has_assigned_at)
		return decide_import(kind, row, decision);
	if (row->has_owner)
	{
		decision->method = "manual";
		decision->assigned = true;
		decision->user_id = row->owner_id;
		decision->has_team = row->has_team;
		decision->team_id = row->team_id;
		decision->at = decision_clock();
		return counters_gain(kind, row->owner_id, row->open ? 1 : 0, decision->at);
	}
	if (!row->open || row->customer_agent)
		return -1;
	return route_item(&request, decision);
}

/*
 * Checks a new item against the current configuration and decides it. A
 * routed owner is locked as referred to after the decision; should the
 * configuration have changed while that waited and the owner be gone, the
 * item is decided again.
 */
static int
decide_new_item(ItemKind kind, const ItemRow *row, RoutingDecision *decision)
{
	for (;;)
	{
		ChannelInfo *channel;
		int			effect;

		cache_refresh();
		channel = integrity_item_channel(row->channel_id, kind);
		/* A contact-owner decision reads the contact anyway, and checks it then. */
		integrity_check_references(kind, row, true, true, !routes_by_contact(row, channel));
		integrity_check_conversation(row);
		assign_permitted(channel, kind, row, true, true, false);
		effect = decide(kind, row, channel, decision);
		if (!decision->assigned || row->has_owner)
			return effect;		/* a given owner was locked before */
		lock_reference(REFERENCE_USER, decision->user_id);
		if (cache_still_current() || hubroute_has_row(TABLE_USERS, "id", decision->user_id))
			return effect;
		if (effect >= 0)
			counters_cancel(effect);
		if (decision->reason != NULL)
			pfree(decision->reason);
	}
}

/*
 * BEFORE INSERT: the channel must exist and be of the item's workspace kind,
 * and the owner, team and contact it names must exist (each locked as
 * referred to, integrity.c). An item naming an owner is a manual
 * assignment; an open item with neither owner nor assigned_at is routed by
 * its channel's rule, and counted on its new owner's load at once; an item
 * that comes with assigned_at was decided before and is kept. The decision
 * waits in pending.c until the AFTER trigger sees the row as stored.
 */
Datum
hubroute_item_before_insert(PG_FUNCTION_ARGS)
{
	const char *name = "hubroute.item_before_insert()";
	TriggerData *trigdata = row_trigger_data(fcinfo, name);
	Relation	rel = trigdata->tg_relation;
	ItemKind	kind = item_kind_of(rel, name);
	ItemRow		row;
	RoutingDecision decision;
	int			effect;
	HeapTuple	result;

	CHECK_FOR_INTERRUPTS();
	if (applying_replicated_changes())
		return PointerGetDatum(trigdata->tg_trigtuple);
	item_row_read(rel, kind, trigdata->tg_trigtuple, true, &row);
	pending_settle_previous(rel, kind);
	if (!row.has_channel)
		return PointerGetDatum(trigdata->tg_trigtuple); /* its NOT NULL constraint says so */
	counters_ready();
	integrity_lock_references(&row, true, true, true);
	effect = decide_new_item(kind, &row, &decision);
	result = row_apply_decision(rel, kind, trigdata->tg_trigtuple, &row, &decision);
	pending_add(kind, &row, &decision, effect);
	return PointerGetDatum(result);
}

/* AFTER TRUNCATE: the counts are loaded again from the tables at commit. */
Datum
hubroute_item_truncated(PG_FUNCTION_ARGS)
{
	(void) statement_trigger_kind(fcinfo, "hubroute.item_truncated()");
	if (!applying_replicated_changes())
		counters_rebuild();
	return PointerGetDatum(NULL);
}

/* Did owner (or team, channel, contact) change between two rows? */
static bool
id_changed(bool had, int64 old_id, bool has, int64 new_id)
{
	return had != has || (has && old_id != new_id);
}

/* What changed between an item's old and new row. */
typedef struct ItemChange
{
	bool		owner;
	bool		team;
	bool		channel;
	bool		contact;
} ItemChange;

/* Fills change from the old and new row. */
static void
item_change_of(const ItemRow *old_row, const ItemRow *new_row, ItemChange *change)
{
	change->owner = id_changed(old_row->has_owner, old_row->owner_id, new_row->has_owner, new_row->owner_id);
	change->team = id_changed(old_row->has_team, old_row->team_id, new_row->has_team, new_row->team_id);
	change->channel = id_changed(old_row->has_channel, old_row->channel_id,
								 new_row->has_channel, new_row->channel_id);
	change->contact = id_changed(old_row->has_contact, old_row->contact_id,
								 new_row->has_contact, new_row->contact_id);
}

/*
 * Checks what an update changed in row against the configuration: the new
 * channel must fit the item's kind, new references must exist (locked as
 * referred to), and in a workspace restricted to teams only their members
 * (and the teams themselves) may own it. Returns false for a refusal when
 * quietly, else a refusal is an error.
 */
static bool
check_changed_item(ItemKind kind, const ItemRow *row, const ItemChange *change, bool quietly)
{
	ChannelInfo *channel;

	integrity_lock_references(row, change->channel, change->owner, change->team);
	cache_refresh();
	channel = integrity_item_channel(row->channel_id, kind);
	integrity_check_references(kind, row, change->owner, change->team, change->contact);
	return assign_permitted(channel, kind, row, change->owner || change->channel,
							change->team || change->channel, quietly);
}

/*
 * BEFORE UPDATE of owner, team, contact or channel: checks the change (a
 * refused reply skips the update instead of failing the message), and
 * stamps assigned_at on a new owner.
 */
Datum
hubroute_item_before_update(PG_FUNCTION_ARGS)
{
	const char *name = "hubroute.item_before_update()";
	TriggerData *trigdata = row_trigger_data(fcinfo, name);
	Relation	rel = trigdata->tg_relation;
	ItemKind	kind = item_kind_of(rel, name);
	AssignSource source;
	ItemRow		old_row,
				new_row;
	ItemChange	change;
	int			column;
	Datum		value;
	bool		isnull = false;

	CHECK_FOR_INTERRUPTS();
	if (applying_replicated_changes())
		return PointerGetDatum(trigdata->tg_newtuple);
	item_row_read(rel, kind, trigdata->tg_trigtuple, false, &old_row);
	item_row_read(rel, kind, trigdata->tg_newtuple, false, &new_row);
	if (!new_row.has_channel)
		return PointerGetDatum(trigdata->tg_newtuple);	/* its NOT NULL constraint says so */
	item_change_of(&old_row, &new_row, &change);
	source = assign_source_of(kind, new_row.id);
	if (!check_changed_item(kind, &new_row, &change, source == SOURCE_REPLY))
		return PointerGetDatum(NULL);
	if (!change.owner || !new_row.has_owner || assign_source_decides(source))
		return PointerGetDatum(trigdata->tg_newtuple);
	column = item_attnum(rel, kind, ITEM_COLUMN_ASSIGNED_AT);
	value = TimestampTzGetDatum(decision_clock());
	return PointerGetDatum(heap_modify_tuple_by_cols(trigdata->tg_newtuple, RelationGetDescr(rel),
													 1, &column, &value, &isnull));
}

/* Names the columns in which two readings of an item differ, for a message. */
static char *
differing_columns(const ItemRow *a, const ItemRow *b)
{
	StringInfoData names;

	initStringInfo(&names);
#define NOTE_DIFFERENCE(test, column) \
	if (test) appendStringInfo(&names, "%s%s", names.len > 0 ? ", " : "", column)
	NOTE_DIFFERENCE(a->id != b->id, "id");
	NOTE_DIFFERENCE(a->has_channel != b->has_channel || a->channel_id != b->channel_id, "channel_id");
	NOTE_DIFFERENCE(a->has_contact != b->has_contact || a->contact_id != b->contact_id, "contact_id");
	NOTE_DIFFERENCE(a->has_owner != b->has_owner || a->owner_id != b->owner_id, "owner_id");
	NOTE_DIFFERENCE(a->has_team != b->has_team || a->team_id != b->team_id, "team_id");
	NOTE_DIFFERENCE(a->open != b->open, "status");
	NOTE_DIFFERENCE(a->customer_agent != b->customer_agent, "handled_by");
	NOTE_DIFFERENCE(a->has_assigned_at != b->has_assigned_at || a->assigned_at != b->assigned_at,
					"assigned_at");
#undef NOTE_DIFFERENCE
	return names.data;
}

/*
 * Refuses an inserted row that is not the row hubroute decided on: a
 * BEFORE trigger that fired after ours changed it (decided is NULL when
 * its id or assigned_at changed, so no decision could be found).
 */
static void
refuse_changed_row(ItemKind kind, const ItemRow *row, const ItemRow *decided)
{
	ereport(ERROR,
			(errcode(ERRCODE_TRIGGERED_DATA_CHANGE_VIOLATION),
			 errmsg("%s %lld was changed after hubroute routed it", item_kind_info(kind)->noun,
					(long long) row->id),
			 errdetail("A BEFORE INSERT trigger that fires after hubroute_route changed %s.",
					   decided != NULL ? differing_columns(decided, row) : "its id or assigned_at"),
			 errhint("Triggers fire in order of their names: rename that trigger so that it fires"
					 " before hubroute_route, or change the row with an UPDATE afterwards.")));
}

/*
 * AFTER INSERT: the row as stored must be the row decided on (else the
 * statement is refused); its decision is logged. Its count was made when
 * it was decided.
 */
static void
after_insert(Relation rel, ItemKind kind, HeapTuple tuple)
{
	ItemRow		row;
	PendingDecision pending;

	item_row_read(rel, kind, tuple, false, &row);
	if (!row.has_channel)
		return;
	if (item_waits(&row))
		drain_note_waiting_item(row.channel_id);
	if (!pending_take(kind, &row, &pending))
		refuse_changed_row(kind, &row, NULL);
	if (!item_rows_agree(&pending.row, &row))
		refuse_changed_row(kind, &row, &pending.row);
	if (pending.decision.method == NULL)
		return;
	decision_log(kind, row.id, row.channel_id, &pending.decision);
	if (pending.decision.notify_owner_offline)
		decision_notify_owner_offline(kind, row.id, pending.decision.user_id);
	if (pending.decision.message != NULL)
	{
		decision_post_message(kind, row.id, pending.decision.message);
		pfree(pending.decision.message);
	}
	if (pending.decision.reason != NULL)
		pfree(pending.decision.reason);
}

/*
 * Counts an update at commit: the old row stops counting and the new one
 * starts, when owner or status changed; stamp (DT_NOBEGIN: none) is the new
 * owner's logged assignment. route_ticket() / route_conversation() counted
 * their decision already, at once, like an insert.
 */
static void
count_update(ItemKind kind, const ItemRow *old_row, const ItemRow *new_row, bool owner_changed,
			 TimestampTz stamp)
{
	bool		old_counts = old_row->has_owner && old_row->open;
	bool		new_counts = new_row->has_owner && new_row->open;
	bool		new_starts = new_counts && (owner_changed || !old_counts);
	int			effect = -1;

	if (owner_changed)
		effect = assign_take_routed_effect(kind, new_row->id);
	if (old_counts && (owner_changed || !new_counts))
		counters_change_at_commit(kind, old_row->owner_id, -1, DT_NOBEGIN);
	if (effect >= 0 && new_counts && counters_effect_is_for(effect, new_row->owner_id))
		return;
	if (effect >= 0)
		counters_cancel(effect);
	if (new_starts || stamp != DT_NOBEGIN)
		counters_change_at_commit(kind, new_row->owner_id, new_starts ? 1 : 0, stamp);
}

/*
 * AFTER UPDATE: the row as stored is checked again (a later BEFORE trigger
 * may have changed it), a change of owner or team by hand or by a reply is
 * logged, and the counts move at commit.
 */
static void
after_update(Relation rel, ItemKind kind, HeapTuple old_tuple, HeapTuple new_tuple)
{
	AssignSource source;
	ItemRow		old_row,
				new_row;
	ItemChange	change;
	TimestampTz stamp = DT_NOBEGIN;

	item_row_read(rel, kind, old_tuple, false, &old_row);
	item_row_read(rel, kind, new_tuple, false, &new_row);
	source = assign_source_of(kind, new_row.id);
	item_change_of(&old_row, &new_row, &change);
	counters_ready();
	if (new_row.has_channel && (change.owner || change.team || change.channel || change.contact))
		(void) check_changed_item(kind, &new_row, &change, false);
	if ((change.owner || change.team) && !assign_source_decides(source))
	{
		RoutingDecision change_of_owner = {
			.assigned = new_row.has_owner,
			.user_id = new_row.owner_id,
			.has_team = new_row.has_team,
			.team_id = new_row.team_id,
			.method = assign_source_method(source),
			.reason = new_row.has_owner ? NULL : "owner removed",
			.at = change.owner && new_row.has_owner && new_row.has_assigned_at
			? new_row.assigned_at : decision_clock(),
		};

		decision_log(kind, new_row.id, new_row.channel_id, &change_of_owner);
		if (new_row.has_owner)
			stamp = change_of_owner.at;
	}
	count_update(kind, &old_row, &new_row, change.owner, stamp);
	if (item_waits(&new_row) && (!item_waits(&old_row) || change.channel))
		drain_note_waiting_item(new_row.channel_id);
	if (old_row.has_owner && old_row.open && (change.owner || !new_row.open))
		drain_for_user(kind, old_row.owner_id);
}

/*
 * AFTER INSERT, UPDATE or DELETE: logs and checks decisions, and keeps the
 * shared counts equal to the tables.
 */
Datum
hubroute_item_count(PG_FUNCTION_ARGS)
{
	const char *name = "hubroute.item_count()";
	TriggerData *trigdata = row_trigger_data(fcinfo, name);
	Relation	rel = trigdata->tg_relation;
	ItemKind	kind = item_kind_of(rel, name);

	/* A multi-row statement's AFTER work runs with no other check for a cancel. */
	CHECK_FOR_INTERRUPTS();
	if (applying_replicated_changes())
		return PointerGetDatum(NULL);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		after_insert(rel, kind, trigdata->tg_trigtuple);
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		ItemRow		old_row;

		item_row_read(rel, kind, trigdata->tg_trigtuple, false, &old_row);
		counters_ready();
		if (old_row.has_owner && old_row.open)
		{
			counters_change_at_commit(kind, old_row.owner_id, -1, DT_NOBEGIN);
			drain_for_user(kind, old_row.owner_id);
		}
	}
	else
		after_update(rel, kind, trigdata->tg_trigtuple, trigdata->tg_newtuple);
	return PointerGetDatum(NULL);
}
