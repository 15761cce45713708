/*
 * decision_log.c: hubroute.assignments, one row per routing decision and per
 * manual change of owner, and the hubroute.notifications outbox.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"

static SPIPlanPtr log_plan;
static SPIPlanPtr notify_plan;

/* Inserts one assignments row; absent values are NULL. */
static void
log_row(ItemKind kind, int64 item_id, bool has_user, int64 user_id, bool has_team,
		int64 team_id, const char *method, const char *reason, TimestampTz at)
{
	Oid			argtypes[7] = {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID, TIMESTAMPTZOID};
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = values[1] = Int64GetDatum(item_id);
	nulls[kind == ITEM_TICKET ? 1 : 0] = 'n';
	values[2] = Int64GetDatum(user_id);
	nulls[2] = has_user ? ' ' : 'n';
	values[3] = Int64GetDatum(team_id);
	nulls[3] = has_team ? ' ' : 'n';
	values[4] = CStringGetTextDatum(method);
	values[5] = reason ? CStringGetTextDatum(reason) : (Datum) 0;
	nulls[5] = reason ? ' ' : 'n';
	values[6] = TimestampTzGetDatum(at);
	spi_run(spi_plan(&log_plan,
					 "INSERT INTO hubroute.assignments"
					 " (ticket_id, conversation_id, user_id, team_id, method, reason, at)"
					 " VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, argtypes),
			values, nulls, false, 0);
}

/* Logs a decision (routed, manual or reply), assigned or not. */
void
decision_log(ItemKind kind, int64 item_id, const RoutingDecision *decision)
{
	log_row(kind, item_id, decision->assigned, decision->user_id, decision->has_team,
			decision->team_id, decision->method, decision->reason, decision->at);
}

/* Queues an owner_offline e-mail for a contact owner who got an item while away. */
void
decision_notify_owner_offline(ItemKind kind, int64 item_id, int64 user_id)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, INT8OID};
	Datum		values[3] = {Int64GetDatum(user_id), Int64GetDatum(item_id), Int64GetDatum(item_id)};
	char		nulls[3] = {' ', kind == ITEM_TICKET ? ' ' : 'n', kind == ITEM_TICKET ? 'n' : ' '};

	spi_run(spi_plan(&notify_plan,
					 "INSERT INTO hubroute.notifications (user_id, kind, ticket_id, conversation_id)"
					 " VALUES ($1, 'owner_offline', $2, $3)", 3, argtypes),
			values, nulls, false, 0);
}
