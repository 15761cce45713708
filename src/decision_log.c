/*
 * decision_log.c: hubroute.assignments, one row per routing decision and per
 * manual change of owner, and the hubroute.notifications outbox.
 *
 * The log also records the item's channel: after a restart, each channel's
 * round-robin rotation is read back from its last round-robin row.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"

static SPIPlanPtr log_plan;
static SPIPlanPtr notify_plan;

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

/* Logs a decision (routed, manual or reply), assigned or not, of an item in channel_id. */
void
decision_log(ItemKind kind, int64 item_id, int64 channel_id, const RoutingDecision *decision)
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
