/*
 * counters.c: open items per user, kept exact without counting rows.
 *
 * hubroute.user_counters holds, per user, the open tickets, the open
 * conversations and the time of the last assignment. The AFTER ROW triggers
 * move them from the stored rows (inserted, closed, reopened, reassigned,
 * deleted), so they follow the final row whatever other triggers did.
 * Routing reads them (under lock) instead of counting items; pending.c adds
 * the rows of the running statement that are decided but not counted yet.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"

static SPIPlanPtr apply_plan;

/*
 * Moves user_id's open count of kind by delta and, when has_assigned_at,
 * its last assignment time forward. Upserts, so a missing counter row is
 * created rather than the change lost.
 */
void
counters_apply(ItemKind kind, int64 user_id, int delta, bool has_assigned_at,
			   TimestampTz assigned_at)
{
	Oid			argtypes[4] = {INT8OID, INT4OID, INT4OID, TIMESTAMPTZOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', has_assigned_at ? ' ' : 'n'};

	/*
	 * Normally held since the statement began. Not when another BEFORE ROW
	 * trigger changed owner_id without the UPDATE naming it: no count moves
	 * without the lock, even then.
	 */
	routing_lock();
	values[0] = Int64GetDatum(user_id);
	values[1] = Int32GetDatum(kind == ITEM_TICKET ? delta : 0);
	values[2] = Int32GetDatum(kind == ITEM_CONVERSATION ? delta : 0);
	values[3] = TimestampTzGetDatum(assigned_at);
	spi_run(spi_plan(&apply_plan,
					 "INSERT INTO hubroute.user_counters AS c"
					 " (user_id, open_tickets, open_conversations, last_assigned_at)"
					 " VALUES ($1, $2, $3, $4)"
					 " ON CONFLICT (user_id) DO UPDATE"
					 " SET open_tickets = c.open_tickets OPERATOR(pg_catalog.+) EXCLUDED.open_tickets,"
					 "     open_conversations = c.open_conversations"
					 "         OPERATOR(pg_catalog.+) EXCLUDED.open_conversations,"
					 "     last_assigned_at = GREATEST(c.last_assigned_at, EXCLUDED.last_assigned_at)",
					 4, argtypes),
			values, nulls, false, 0);
}
