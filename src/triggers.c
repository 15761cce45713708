/*
 * triggers.c: the row triggers on hubroute.tickets, hubroute.conversations
 * and hubroute.messages.
 *
 * Every statement on an item table that can route or count takes the
 * routing lock first (statement-level triggers): see locking.c for the
 * protocol that keeps routing exact and free of deadlocks.
 */
#include "hubroute.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_item_before_insert);
PG_FUNCTION_INFO_V1(hubroute_item_before_update);
PG_FUNCTION_INFO_V1(hubroute_item_count);
PG_FUNCTION_INFO_V1(hubroute_message_reply);
PG_FUNCTION_INFO_V1(hubroute_item_statement_begin);
PG_FUNCTION_INFO_V1(hubroute_item_statement_end);
PG_FUNCTION_INFO_V1(hubroute_item_statement_lock);

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

/* Errors unless called as a statement trigger. */
static void
require_statement_trigger(FunctionCallInfo fcinfo, const char *name)
{
	if (!CALLED_AS_TRIGGER(fcinfo) ||
		!TRIGGER_FIRED_FOR_STATEMENT(((TriggerData *) fcinfo->context)->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a statement trigger", name)));
}

/* The columns a BEFORE trigger may change in the new row. */
typedef struct RowChange
{
	bool		set_owner;
	bool		has_owner;
	int64		owner_id;
	bool		set_handled_by; /* to 'customer_agent' */
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
		values[n++] = CStringGetTextDatum("customer_agent");
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

/* The decision for a new item: the owner it names, or its channel's rule. */
static bool
decide_new_item(ItemKind kind, const ItemRow *row, const RoutingRule *rule,
				RoutingDecision *decision)
{
	RoutingRequest request = {.kind = kind,.item = row,.rule = rule};

	memset(decision, 0, sizeof(*decision));
	if (row->has_assigned_at)
		return false;			/* decided before: a restore or an import */
	if (row->has_owner)
	{
		decision->method = "manual";
		decision->assigned = true;
		decision->user_id = row->owner_id;
		decision->has_team = row->has_team;
		decision->team_id = row->team_id;
		decision->at = GetCurrentTimestamp();
		return true;
	}
	if (!row->open || row->customer_agent)
		return false;
	route_item(&request, decision);
	return true;
}

/* The new row's columns that a decision sets. */
static void
change_from_decision(const ItemRow *row, const RoutingDecision *decision, RowChange *change)
{
	change->set_assigned_at = true;
	change->assigned_at = decision->at;
	if (row->has_owner)
		return;					/* a manual owner stays as inserted */
	change->set_owner = change->has_owner = decision->assigned;
	change->owner_id = decision->user_id;
	/* Only a customer-agent rule changes handled_by: a bad value still meets its CHECK. */
	change->set_handled_by = decision->customer_agent;
}

/*
 * BEFORE INSERT: the channel must exist and be of the item's workspace kind.
 * An item naming an owner is a manual assignment; an open item with neither
 * owner nor assigned_at is routed by its channel's rule. An item that comes
 * with assigned_at set (a restore, an import) was decided before and is kept
 * as it is. The decision waits in pending.c until the AFTER trigger sees the
 * row inserted, logs it and counts it.
 */
Datum
hubroute_item_before_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = row_trigger_data(fcinfo, "hubroute.item_before_insert()");
	Relation	rel = trigdata->tg_relation;
	ItemKind	kind = item_kind_of(rel);
	ItemRow		row;
	RoutingRule rule;
	RoutingDecision decision;
	RowChange	change = {0};
	bool		counts;

	item_row_read(RelationGetDescr(rel), trigdata->tg_trigtuple, &row);
	SPI_connect();
	rule_load(row.channel_id, kind, &rule);
	assign_permitted(&rule, kind, &row, !row.has_assigned_at, !row.has_assigned_at, false);
	if (decide_new_item(kind, &row, &rule, &decision))
		change_from_decision(&row, &decision, &change);
	else if (row.has_owner)
	{
		decision.assigned = true;	/* not logged (no method), but counted */
		decision.user_id = row.owner_id;
		decision.at = row.assigned_at;
	}
	counts = decision.assigned && row.open;
	if (decision.method != NULL || counts)
		pending_add(kind, row.id, &decision, counts);
	SPI_finish();
	return PointerGetDatum(row_apply_change(rel, trigdata->tg_trigtuple, &change));
}

/* BEFORE INSERT FOR EACH STATEMENT: a statement of routed rows begins. */
Datum
hubroute_item_statement_begin(PG_FUNCTION_ARGS)
{
	require_statement_trigger(fcinfo, "hubroute.item_statement_begin()");
	routing_lock();
	pending_statement_begin();
	return PointerGetDatum(NULL);
}

/*
 * BEFORE UPDATE OF owner, team, status or channel, and BEFORE DELETE, FOR
 * EACH STATEMENT: the routing lock, before the statement locks any row.
 */
Datum
hubroute_item_statement_lock(PG_FUNCTION_ARGS)
{
	require_statement_trigger(fcinfo, "hubroute.item_statement_lock()");
	routing_lock();
	return PointerGetDatum(NULL);
}

/* AFTER INSERT FOR EACH STATEMENT: drops decisions of rows never inserted. */
Datum
hubroute_item_statement_end(PG_FUNCTION_ARGS)
{
	require_statement_trigger(fcinfo, "hubroute.item_statement_end()");
	pending_statement_end();
	return PointerGetDatum(NULL);
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
	{
		RoutingDecision change_of_owner = {
			.assigned = new_row.has_owner,
			.user_id = new_row.owner_id,
			.has_team = new_row.has_team,
			.team_id = new_row.team_id,
			.method = source == SOURCE_REPLY ? "reply" : "manual",
			.reason = new_row.has_owner ? NULL : "owner removed",
			.at = GetCurrentTimestamp(),
		};

		decision_log(kind, new_row.id, &change_of_owner);
		change.set_assigned_at = owner_changed && new_row.has_owner;
		change.assigned_at = change_of_owner.at;
	}
	SPI_finish();
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

/*
 * AFTER INSERT, UPDATE or DELETE: keeps hubroute.user_counters exact, and
 * logs the decision of an inserted row.
 */
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
		RoutingDecision decision;

		item_row_read(desc, trigdata->tg_trigtuple, &new_row);
		if (pending_take(kind, new_row.id, &decision) && decision.method != NULL)
		{
			decision_log(kind, new_row.id, &decision);
			if (decision.notify_owner_offline)
				decision_notify_owner_offline(kind, new_row.id, decision.user_id);
		}
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
	RoutingDecision reply = {.assigned = true};	/* the UPDATE's trigger logs it as 'reply' */

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
