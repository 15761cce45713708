/*
 * assign.c: owners set after insert — by hand (UPDATE), by a reply, and by
 * hubroute.route_ticket() / hubroute.route_conversation().
 *
 * All three go through an UPDATE of the item, so that the BEFORE UPDATE
 * trigger checks the workspace's team restriction and the AFTER trigger moves
 * the counters. The code issuing the UPDATE says who it is (AssignSource),
 * which decides what the trigger logs and whether a refusal is an error.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_route_ticket);
PG_FUNCTION_INFO_V1(hubroute_route_conversation);

static AssignSource current_source = SOURCE_MANUAL;
static ItemKind routed_kind;	/* the item route_existing() is updating ... */
static int64 routed_item_id;
static int	routed_effect = -1; /* ... and the count its decision added */
static SPIPlanPtr update_plans[2];
static SPIPlanPtr lock_plans[2];

/* Who issues the owner change being made right now. */
AssignSource
assign_current_source(void)
{
	return current_source;
}

/*
 * Sets an open unassigned item's owner (or records an unassigned decision)
 * on behalf of source. Returns false when the item was not updated: it was
 * no longer open and unassigned, or the trigger refused a reply.
 */
bool
assign_update_owner(ItemKind kind, int64 item_id, AssignSource source,
					const RoutingDecision *decision)
{
	Oid			argtypes[4] = {INT8OID, INT8OID, TEXTOID, TIMESTAMPTZOID};
	Datum		values[4];
	char		nulls[4] = {' ', decision->assigned ? ' ' : 'n', ' ', ' '};
	AssignSource saved = current_source;
	char	   *sql = update_plans[kind] ? NULL :
		psprintf("UPDATE hubroute.%s SET owner_id = $2, handled_by = $3, assigned_at = $4"
				 " WHERE id" EQ "$1 AND owner_id IS NULL AND status" EQ "'open'",
				 item_kind_info(kind)->table);
	int			updated;
	OwnerSwitch owner;

	values[0] = Int64GetDatum(item_id);
	values[1] = Int64GetDatum(decision->user_id);
	values[2] = CStringGetTextDatum(decision->customer_agent ? "customer_agent" : "human");
	values[3] = TimestampTzGetDatum(decision->at);
	current_source = source;
	SPI_connect();
	owner_begin(&owner);
	PG_TRY();
	{
		updated = spi_run(spi_plan(&update_plans[kind], sql, 4, argtypes), values, nulls, false, 0);
	}
	PG_FINALLY();
	{
		current_source = saved;
	}
	PG_END_TRY();
	owner_end(&owner);
	SPI_finish();
	return updated == 1;
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

/* Locks item_id FOR UPDATE and reads it; errors unless open and unassigned. */
static void
lock_routable_item(ItemKind kind, int64 item_id, ItemRow *row)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(item_id)};
	const ItemKindInfo *info = item_kind_info(kind);
	char	   *sql = lock_plans[kind] ? NULL :
		psprintf("SELECT * FROM hubroute.%s WHERE id" EQ "$1 FOR UPDATE", info->table);

	OwnerSwitch owner;
	int			found;

	SPI_connect();
	owner_begin(&owner);
	found = spi_run(spi_plan(&lock_plans[kind], sql, 1, argtypes), values, NULL, false, 1);
	if (found == 1)
		item_row_read_tuple(SPI_tuptable->tupdesc, SPI_tuptable->vals[0], row);
	owner_end(&owner);
	SPI_finish();
	if (found != 1)
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
 * The count route_existing()'s decision added for the item being updated,
 * taken by the AFTER UPDATE trigger; -1 for any other item.
 */
int
assign_take_routed_effect(ItemKind kind, int64 item_id)
{
	int			effect = routed_effect;

	if (effect < 0 || kind != routed_kind || item_id != routed_item_id)
		return -1;
	routed_effect = -1;
	return effect;
}

/* Routes an existing open unassigned item now; returns the owner or NULL. */
static Datum
route_existing(FunctionCallInfo fcinfo, ItemKind kind)
{
	int64		item_id = PG_GETARG_INT64(0);
	ItemRow		row;
	RoutingDecision decision;
	RoutingRequest request = {.kind = kind,.item = &row};

	counters_ready(hubroute_namespace());
	lock_routable_item(kind, item_id, &row);
	cache_refresh();
	request.channel = rule_load(row.channel_id, kind);
	routed_effect = route_item(&request, &decision);
	routed_kind = kind;
	routed_item_id = item_id;
	assign_update_owner(kind, item_id, SOURCE_ROUTED, &decision);
	if (routed_effect >= 0)
		counters_cancel(routed_effect); /* the row was not updated after all */
	routed_effect = -1;
	decision_log(kind, item_id, row.channel_id, &decision);
	if (decision.notify_owner_offline)
		decision_notify_owner_offline(kind, item_id, decision.user_id);
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
