/*
 * triggers.c: the row triggers on hubroute.tickets, hubroute.conversations
 * and hubroute.messages.
 *
 * Locking protocol (why routing is exact under concurrency and never
 * deadlocks with itself):
 *
 *  1. A balanced or least-busy decision locks the hubroute.user_counters rows
 *     of every eligible pool member FOR UPDATE, in user id order, and holds
 *     them until commit. Two decisions whose pools share a user therefore
 *     run one after the other, and the second reads the counts the first
 *     committed: the result is as if the items were routed one at a time,
 *     so open counts in a pool stay within 1 of each other.
 *  2. A round-robin decision locks its channel's hubroute.channel_rotation
 *     row first; random and contact-owner decisions lock nothing to decide.
 *  3. The AFTER ROW trigger then moves the chosen owner's counter (a row
 *     the decision already holds, for balanced and least busy). A change
 *     touching two owners (reassign) updates the lower user id first.
 *  4. route_ticket(), route_conversation() and replies lock the item row
 *     before any of the above.
 *
 * So every routing transaction takes its locks in one order: item row,
 * rotation row, counter rows by ascending user id. Within one statement the
 * counter locks of successive rows are taken in that order per row; a single
 * transaction that routes into several pools whose members interleave may
 * still meet another such transaction in the opposite order, and PostgreSQL's
 * deadlock detector then aborts one of them (SPEC §2 counts deadlock among
 * the errors that may abort a statement).
 */
#include "hubroute.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_item_before_insert);
PG_FUNCTION_INFO_V1(hubroute_item_before_update);
PG_FUNCTION_INFO_V1(hubroute_item_count);
PG_FUNCTION_INFO_V1(hubroute_message_reply);

/* The trigger data of a row trigger call, or an error when called otherwise. */
static TriggerData *
row_trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a row trigger", name)));
	return trigdata;
}

/* The columns a BEFORE trigger may change in the new row. */
typedef struct RowChange
{
	bool		set_owner;
	bool		has_owner;
	int64		owner_id;
	bool		set_handled_by;
	bool		customer_agent;
	bool		set_assigned_at;
	TimestampTz assigned_at;
} RowChange;

/* The new row with change applied, built in the caller's memory context. */
static HeapTuple
row_apply_change(Relation rel, HeapTuple tuple, const RowChange *change)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			columns[3];
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			n = 0;

	if (change->set_owner)
	{
		columns[n] = SPI_fnumber(desc, "owner_id");
		values[n] = Int64GetDatum(change->owner_id);
		nulls[n++] = !change->has_owner;
	}
	if (change->set_handled_by)
	{
		columns[n] = SPI_fnumber(desc, "handled_by");
		values[n++] = CStringGetTextDatum(change->customer_agent ? "customer_agent" : "human");
	}
	if (change->set_assigned_at)
	{
		columns[n] = SPI_fnumber(desc, "assigned_at");
		values[n++] = TimestampTzGetDatum(change->assigned_at);
	}
	if (n == 0)
		return tuple;
	return heap_modify_tuple_by_cols(tuple, desc, n, columns, values, nulls);
}

/* Routes a new item by its channel's rule and logs the decision. */
static void
route_new_item(ItemKind kind, const ItemRow *row, const RoutingRule *rule, RowChange *change)
{
	RoutingDecision decision;
	RoutingRequest request = {.kind = kind,.item = row,.rule = rule};

	route_item(&request, &decision);
	decision_log(kind, row->id, &decision);
	if (decision.notify_owner_offline)
		decision_notify_owner_offline(kind, row->id, decision.user_id);
	change->set_owner = change->has_owner = decision.assigned;
	change->owner_id = decision.user_id;
	change->set_handled_by = true;
	change->customer_agent = decision.customer_agent;
	change->set_assigned_at = true;
	change->assigned_at = decision.at;
}

/*
 * Puts an inserted row that will count on its owner into the pending overlay,
 * so the next row of the same statement is routed seeing it.
 */
static void
count_pending(ItemKind kind, const ItemRow *row, const RowChange *change)
{
	bool		has_owner = change->set_owner ? change->has_owner : row->has_owner;
	int64		owner_id = change->set_owner ? change->owner_id : row->owner_id;
	TimestampTz at = change->set_assigned_at ? change->assigned_at : row->assigned_at;

	if (has_owner && row->open)
		counters_add_pending(kind, row->id, owner_id, at);
}

/*
 * BEFORE INSERT: the channel must exist and be of the item's workspace kind.
 * An item naming an owner is a manual assignment; an open item with neither
 * owner nor assigned_at is routed. An item that comes with assigned_at set
 * (a restore, an import) was decided before and is kept as it is.
 */
Datum
hubroute_item_before_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = row_trigger_data(fcinfo, "hubroute.item_before_insert()");
	Relation	rel = trigdata->tg_relation;
	ItemKind	kind = item_kind_of(rel);
	ItemRow		row;
	RoutingRule rule;
	RowChange	change = {0};

	item_row_read(RelationGetDescr(rel), trigdata->tg_trigtuple, &row);
	SPI_connect();
	rule_load(row.channel_id, kind, &rule);
	assign_permitted(&rule, kind, &row, !row.has_assigned_at, !row.has_assigned_at, false);
	if (!row.has_assigned_at && row.has_owner)
	{
		decision_log_manual(kind, row.id, "manual", true, row.owner_id, row.has_team, row.team_id, NULL);
		change.set_assigned_at = true;
		change.assigned_at = GetCurrentTimestamp();
	}
	else if (!row.has_assigned_at && row.open && !row.customer_agent)
		route_new_item(kind, &row, &rule, &change);
	count_pending(kind, &row, &change);
	SPI_finish();
	return PointerGetDatum(row_apply_change(rel, trigdata->tg_trigtuple, &change));
}

/* Did owner (or team) change between two rows? */
static bool
id_changed(bool had, int64 old_id, bool has, int64 new_id)
{
	return had != has || (has && old_id != new_id);
}

/*
 * BEFORE UPDATE of owner, team or channel: the new channel must fit the
 * item's kind, and in a workspace restricted to teams only their members
 * (and the teams themselves) may own it. A manual change or a reply is
 * logged; a refused reply skips the update instead of failing the message.
 */
Datum
hubroute_item_before_update(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = row_trigger_data(fcinfo, "hubroute.item_before_update()");
	Relation	rel = trigdata->tg_relation;
	ItemKind	kind = item_kind_of(rel);
	AssignSource source = assign_current_source();
	ItemRow		old_row,
				new_row;
	RoutingRule rule;
	RowChange	change = {0};
	bool		owner_changed,
				team_changed,
				channel_changed;

	item_row_read(RelationGetDescr(rel), trigdata->tg_trigtuple, &old_row);
	item_row_read(RelationGetDescr(rel), trigdata->tg_newtuple, &new_row);
	owner_changed = id_changed(old_row.has_owner, old_row.owner_id, new_row.has_owner, new_row.owner_id);
	team_changed = id_changed(old_row.has_team, old_row.team_id, new_row.has_team, new_row.team_id);
	channel_changed = old_row.channel_id != new_row.channel_id;
	SPI_connect();
	rule_load(new_row.channel_id, kind, &rule);
	if (!assign_permitted(&rule, kind, &new_row, owner_changed || channel_changed,
						  team_changed || channel_changed, source == SOURCE_REPLY))
	{
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	if ((owner_changed || team_changed) && source != SOURCE_ROUTED)
		decision_log_manual(kind, new_row.id, source == SOURCE_REPLY ? "reply" : "manual",
							new_row.has_owner, new_row.owner_id, new_row.has_team, new_row.team_id,
							new_row.has_owner ? NULL : "owner removed");
	SPI_finish();
	if (owner_changed && new_row.has_owner && source != SOURCE_ROUTED)
	{
		change.set_assigned_at = true;
		change.assigned_at = GetCurrentTimestamp();
	}
	return PointerGetDatum(row_apply_change(rel, trigdata->tg_newtuple, &change));
}

/* Moves the counters for an item that stopped (-1) or started (+1) counting. */
static void
count_row(ItemKind kind, const ItemRow *row, int delta, bool newly_owned)
{
	if (row->has_owner && row->open)
		counters_apply(kind, row->owner_id, delta, newly_owned && row->has_assigned_at,
					   row->assigned_at);
}

/*
 * AFTER UPDATE: takes the old row out of its owner's count and puts the new
 * row into its owner's, the lower user id first (the global lock order).
 */
static void
count_update(ItemKind kind, const ItemRow *old_row, const ItemRow *new_row)
{
	bool		owner_changed = id_changed(old_row->has_owner, old_row->owner_id,
										   new_row->has_owner, new_row->owner_id);

	if (!owner_changed)
	{
		/* Closed or reopened: the row that is open is the one that counts. */
		if (old_row->open != new_row->open)
			count_row(kind, old_row->open ? old_row : new_row, old_row->open ? -1 : 1, false);
		return;
	}
	if (old_row->has_owner && new_row->has_owner && new_row->owner_id < old_row->owner_id)
	{
		count_row(kind, new_row, 1, true);
		count_row(kind, old_row, -1, false);
	}
	else
	{
		count_row(kind, old_row, -1, false);
		count_row(kind, new_row, 1, true);
	}
}

/* AFTER INSERT, UPDATE or DELETE: keeps hubroute.user_counters exact. */
Datum
hubroute_item_count(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = row_trigger_data(fcinfo, "hubroute.item_count()");
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	ItemKind	kind = item_kind_of(rel);
	ItemRow		old_row,
				new_row;

	SPI_connect();
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		item_row_read(desc, trigdata->tg_trigtuple, &new_row);
		counters_forget_pending(kind, new_row.id);
		count_row(kind, &new_row, 1, true);
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		item_row_read(desc, trigdata->tg_trigtuple, &old_row);
		count_row(kind, &old_row, -1, false);
	}
	else
	{
		item_row_read(desc, trigdata->tg_trigtuple, &old_row);
		item_row_read(desc, trigdata->tg_newtuple, &new_row);
		count_update(kind, &old_row, &new_row);
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * AFTER INSERT of an outgoing message with an author: the author becomes the
 * owner of the item when it is open and unassigned (method reply).
 */
Datum
hubroute_message_reply(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = row_trigger_data(fcinfo, "hubroute.message_reply()");
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	tuple = trigdata->tg_trigtuple;
	bool		no_ticket,
				no_conversation,
				no_author;
	Datum		ticket_id = heap_getattr(tuple, SPI_fnumber(desc, "ticket_id"), desc, &no_ticket);
	Datum		conversation_id = heap_getattr(tuple, SPI_fnumber(desc, "conversation_id"), desc,
											   &no_conversation);
	Datum		author = heap_getattr(tuple, SPI_fnumber(desc, "author_user_id"), desc, &no_author);
	RoutingDecision reply = {.assigned = true,.method = "reply"};

	if (no_author || no_ticket == no_conversation)
		return PointerGetDatum(NULL);	/* the trigger's WHEN and CHECK keep this from happening */
	reply.user_id = DatumGetInt64(author);
	reply.at = GetCurrentTimestamp();
	SPI_connect();
	assign_update_owner(no_ticket ? ITEM_CONVERSATION : ITEM_TICKET,
						DatumGetInt64(no_ticket ? conversation_id : ticket_id), SOURCE_REPLY, &reply);
	SPI_finish();
	return PointerGetDatum(NULL);
}
