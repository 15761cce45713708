/*
 * triggers.c: the triggers on hubroute.tickets, hubroute.conversations and
 * hubroute.messages.
 *
 * See locking.c for why routing stays exact under concurrency with no lock
 * held to commit, and cannot deadlock with itself.
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
	int			columns[3];
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			n = 0;

	if (change->set_owner)
	{
		columns[n] = item_attnum(rel, ITEM_COLUMN_OWNER_ID);
		values[n] = Int64GetDatum(change->owner_id);
		nulls[n++] = !change->has_owner;
	}
	if (change->set_handled_by)
	{
		columns[n] = item_attnum(rel, ITEM_COLUMN_HANDLED_BY);
		values[n++] = CStringGetTextDatum("customer_agent");
	}
	if (change->set_assigned_at)
	{
		columns[n] = item_attnum(rel, ITEM_COLUMN_ASSIGNED_AT);
		values[n++] = TimestampTzGetDatum(change->assigned_at);
	}
	if (n == 0)
		return tuple;
	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), n, columns, values, nulls);
}

/*
 * The decision for a new item: the owner it names, or its channel's rule.
 * Returns false when there is nothing to decide; *effect is the handle of
 * the count a routed decision added, or -1.
 */
static bool
decide_new_item(ItemKind kind, const ItemRow *row, ChannelInfo *channel,
				RoutingDecision *decision, int *effect)
{
	RoutingRequest request = {.kind = kind,.item = row,.channel = channel};

	memset(decision, 0, sizeof(*decision));
	*effect = -1;
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
	*effect = route_item(&request, decision);
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

/* Will the new row be routed by its contact's owner? */
static bool
routes_by_contact(const ItemRow *row, const ChannelInfo *channel)
{
	return !row->has_assigned_at && !row->has_owner && row->open && !row->customer_agent &&
		channel->rule.assign_to == ASSIGN_CONTACT_OWNER;
}

/*
 * BEFORE INSERT: the channel must exist and be of the item's workspace kind,
 * and the owner, team and contact it names must exist. An item naming an
 * owner is a manual assignment; an open item with neither owner nor
 * assigned_at is routed by its channel's rule, and counted on its new
 * owner's load at once. An item that comes with assigned_at set (a
 * restore, an import) was decided before and is kept as it is. The decision
 * waits in pending.c until the AFTER trigger sees the row inserted and
 * logs it.
 */
Datum
hubroute_item_before_insert(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = row_trigger_data(fcinfo, "hubroute.item_before_insert()");
	Relation	rel = trigdata->tg_relation;
	ItemKind	kind = item_kind_of(rel);
	ItemRow		row;
	ChannelInfo *channel;
	RoutingDecision decision;
	RowChange	change = {0};
	int			effect;

	item_row_read(rel, trigdata->tg_trigtuple, &row);
	counters_ready(RelationGetNamespace(rel));
	cache_refresh();
	channel = rule_load(row.channel_id, kind);
	/* A contact-owner decision reads the contact anyway, and checks it then. */
	integrity_check_references(kind, &row, true, true, !routes_by_contact(&row, channel));
	assign_permitted(channel, kind, &row, !row.has_assigned_at, !row.has_assigned_at, false);
	if (decide_new_item(kind, &row, channel, &decision, &effect))
		change_from_decision(&row, &decision, &change);
	else if (row.has_owner)
	{
		decision.assigned = true;	/* an import: counted, not logged */
		decision.user_id = row.owner_id;
	}
	if (decision.method == NULL && !decision.assigned)
		return PointerGetDatum(trigdata->tg_trigtuple);
	/* Counted now, so that later rows of the statement see it too. */
	if (effect < 0 && decision.assigned && row.open)
		effect = counters_gain(kind, decision.user_id, decision.method != NULL, decision.at);
	pending_add(kind, row.id, &decision, effect);
	return PointerGetDatum(row_apply_change(rel, trigdata->tg_trigtuple, &change));
}

/* BEFORE INSERT FOR EACH STATEMENT: a statement of routed rows begins. */
Datum
hubroute_item_statement_begin(PG_FUNCTION_ARGS)
{
	require_statement_trigger(fcinfo, "hubroute.item_statement_begin()");
	pending_statement_begin();
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
 * BEFORE UPDATE of owner, team, contact or channel: the new channel must
 * fit the item's kind, the new references must exist, and in a workspace
 * restricted to teams only their members (and the teams themselves) may
 * own it. A manual change or a reply is logged; a refused reply skips the
 * update instead of failing the message.
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
	ChannelInfo *channel;
	RowChange	change = {0};
	bool		owner_changed,
				team_changed,
				channel_changed;

	item_row_read(rel, trigdata->tg_trigtuple, &old_row);
	item_row_read(rel, trigdata->tg_newtuple, &new_row);
	owner_changed = id_changed(old_row.has_owner, old_row.owner_id, new_row.has_owner, new_row.owner_id);
	team_changed = id_changed(old_row.has_team, old_row.team_id, new_row.has_team, new_row.team_id);
	channel_changed = old_row.channel_id != new_row.channel_id;
	cache_refresh();
	channel = rule_load(new_row.channel_id, kind);
	integrity_check_references(kind, &new_row, owner_changed, team_changed,
							   id_changed(old_row.has_contact, old_row.contact_id,
										  new_row.has_contact, new_row.contact_id));
	if (!assign_permitted(channel, kind, &new_row, owner_changed || channel_changed,
						  team_changed || channel_changed, source == SOURCE_REPLY))
		return PointerGetDatum(NULL);
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

		decision_log(kind, new_row.id, new_row.channel_id, &change_of_owner);
		change.set_assigned_at = owner_changed && new_row.has_owner;
		change.assigned_at = change_of_owner.at;
	}
	return PointerGetDatum(row_apply_change(rel, trigdata->tg_newtuple, &change));
}

/*
 * Counts a row that now counts (open, owned) on its owner's load, unless
 * the decision that gave it that owner counted it already (effect): one
 * that gave it to someone else is taken back. stamp: the owner was just
 * assigned it, at the row's assigned_at.
 */
static void
count_gained(ItemKind kind, const ItemRow *row, int effect, bool stamp)
{
	bool		counts = row->has_owner && row->open;

	if (effect >= 0 && counts && counters_effect_is_for(effect, row->owner_id))
		return;
	if (effect >= 0)
		counters_cancel(effect);
	if (counts)
		(void) counters_gain(kind, row->owner_id, stamp && row->has_assigned_at, row->assigned_at);
}

/*
 * A changed row counts (delta 1) or no longer counts (-1) on its owner's
 * load from commit on. stamp: the owner was just assigned it.
 */
static void
count_change(ItemKind kind, const ItemRow *row, int delta, bool stamp)
{
	if (row->has_owner && row->open)
		counters_change_at_commit(kind, row->owner_id, delta, stamp && row->has_assigned_at,
								  row->assigned_at);
}

/* AFTER INSERT: logs the row's decision and counts it. */
static void
count_insert(Relation rel, ItemKind kind, HeapTuple tuple)
{
	ItemRow		row;
	RoutingDecision decision;
	int			effect = -1;
	bool		decided;

	item_row_read(rel, tuple, &row);
	/* The BEFORE trigger made the counts ready; nothing reloads them in between. */
	decided = pending_take(kind, row.id, &decision, &effect);
	count_gained(kind, &row, effect, decided && decision.method != NULL);
	if (!decided || decision.method == NULL)
		return;
	decision_log(kind, row.id, row.channel_id, &decision);
	if (decision.notify_owner_offline)
		decision_notify_owner_offline(kind, row.id, decision.user_id);
	if (decision.reason != NULL)
		pfree(decision.reason);
}

/*
 * AFTER UPDATE: the old row stops counting and the new one starts, when
 * owner or status changed, at commit. route_ticket() / route_conversation()
 * counted their decision already, at once, like an insert.
 */
static void
count_update(Relation rel, ItemKind kind, HeapTuple old_tuple, HeapTuple new_tuple)
{
	ItemRow		old_row,
				new_row;
	bool		owner_changed;
	int			effect = -1;

	item_row_read(rel, old_tuple, &old_row);
	item_row_read(rel, new_tuple, &new_row);
	counters_ready(RelationGetNamespace(rel));
	owner_changed = id_changed(old_row.has_owner, old_row.owner_id,
							   new_row.has_owner, new_row.owner_id);
	if (owner_changed && assign_current_source() == SOURCE_ROUTED)
		effect = assign_take_routed_effect(kind, new_row.id);
	if (!owner_changed && old_row.open == new_row.open)
		return;
	count_change(kind, &old_row, -1, false);
	if (effect >= 0)
		count_gained(kind, &new_row, effect, true);
	else
		count_change(kind, &new_row, 1, owner_changed);
}

/*
 * AFTER INSERT, UPDATE or DELETE: keeps the shared counts equal to the
 * tables, and logs the decision of an inserted row.
 */
Datum
hubroute_item_count(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = row_trigger_data(fcinfo, "hubroute.item_count()");
	Relation	rel = trigdata->tg_relation;
	ItemKind	kind = item_kind_of(rel);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		count_insert(rel, kind, trigdata->tg_trigtuple);
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		ItemRow		old_row;

		item_row_read(rel, trigdata->tg_trigtuple, &old_row);
		counters_ready(RelationGetNamespace(rel));
		count_change(kind, &old_row, -1, false);
	}
	else
		count_update(rel, kind, trigdata->tg_trigtuple, trigdata->tg_newtuple);
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
	assign_update_owner(no_ticket ? ITEM_CONVERSATION : ITEM_TICKET,
						DatumGetInt64(no_ticket ? conversation_id : ticket_id), SOURCE_REPLY, &reply);
	return PointerGetDatum(NULL);
}
