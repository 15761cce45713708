/*
 * events.c: LISTEN/NOTIFY events (SPEC §6).
 *
 * With hubroute.notify_channel set to a name, every decision that gives an
 * item an owner (logged with a user: routed, manual, reply, handoff, from
 * the queue) sends NOTIFY <name> with the JSON payload
 * {"kind", "id", "user_id", "method", "channel_id", "assignment_id"}, the
 * last the decision's row in hubroute.assignments (which makes every
 * payload differ: PostgreSQL sends a transaction's equal ones once; null
 * only when a DBA took the identity off the log's id). It queues it
 * with the transaction: it is sent at commit, and not at all on rollback
 * (of a subtransaction too). What limits it is PostgreSQL's: one queue of
 * notifications per cluster (8 GB at most), which a listener that reads
 * nothing holds back, and committing transactions that notify take a lock
 * on it one at a time.
 */
#include "hubroute.h"

#include "commands/async.h"
#include "lib/stringinfo.h"
#include "utils/guc.h"
#include "utils/json.h"

static char *notify_channel = NULL;

/* A channel name LISTEN accepts: an identifier, shorter than NAMEDATALEN. */
static bool
check_notify_channel(char **newval, void **extra pg_attribute_unused(), GucSource source pg_attribute_unused())
{
	if (*newval == NULL || strlen(*newval) < NAMEDATALEN)
		return true;
	GUC_check_errdetail("A channel name is at most %d bytes long.", NAMEDATALEN - 1);
	return false;
}

/* Defines hubroute.notify_channel (from _PG_init). */
void
events_define_setting(void)
{
	DefineCustomStringVariable("hubroute.notify_channel",
							   "Channel to NOTIFY of every decision that gives an item an owner.",
							   "Empty (the default): no notifications.",
							   &notify_channel, "", PGC_USERSET, 0,
							   check_notify_channel, NULL, NULL);
}

/* Sends, at commit, the event of a decision (logged as assignment_id) that gave an item an owner. */
void
events_notify(ItemKind kind, int64 item_id, int64 channel_id, const RoutingDecision *decision,
			  int64 assignment_id)
{
	StringInfoData payload;

	if (notify_channel == NULL || notify_channel[0] == '\0' || !decision->assigned)
		return;
	initStringInfo(&payload);
	appendStringInfo(&payload, "{\"kind\": \"%s\", \"id\": " INT64_FORMAT ", \"user_id\": " INT64_FORMAT
					 ", \"method\": ", item_kind_info(kind)->noun, item_id, decision->user_id);
	escape_json(&payload, decision->method);
	appendStringInfo(&payload, ", \"channel_id\": " INT64_FORMAT ", \"assignment_id\": ", channel_id);
	if (assignment_id > 0)
		appendStringInfo(&payload, INT64_FORMAT "}", assignment_id);
	else
		appendStringInfoString(&payload, "null}");	/* a DBA gave the log's id no identity */
	Async_Notify(notify_channel, payload.data);
	pfree(payload.data);
}
