/*
 * counters.c: open items per user, kept exact without counting rows.
 *
 * hubroute.user_counters holds, per user, the open tickets, the open
 * conversations and the time of the last assignment. The AFTER ROW triggers
 * move them from the stored rows (inserted, closed, reopened, reassigned,
 * deleted), so they follow the final row whatever other triggers did.
 *
 * AFTER ROW triggers fire at the end of the statement, so within one
 * multi-row INSERT the rows routed so far are not counted yet when the next
 * row is routed. The pending overlay fills that gap: routing records each
 * decision here, strategies see counter + pending, and the AFTER trigger
 * removes the entry when it counts the row. It lives in TopTransactionContext
 * and is dropped at transaction end.
 */
#include "hubroute.h"

#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

typedef struct PendingItemKey
{
	int64		item_id;
	int64		kind;			/* ItemKind, widened so the key has no padding */
} PendingItemKey;

typedef struct PendingItem
{
	PendingItemKey key;
	int64		user_id;
} PendingItem;

typedef struct PendingUser
{
	int64		user_id;
	int32		open[2];		/* by ItemKind */
	TimestampTz last_assigned_at;
} PendingUser;

static HTAB *pending_items;
static HTAB *pending_users;
static SPIPlanPtr apply_plan;

/* Creates the overlay's hash tables for this transaction. */
static void
pending_create(void)
{
	HASHCTL		ctl = {0};

	ctl.hcxt = TopTransactionContext;
	ctl.keysize = sizeof(PendingItemKey);
	ctl.entrysize = sizeof(PendingItem);
	pending_items = hash_create("hubroute pending items", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(PendingUser);
	pending_users = hash_create("hubroute pending users", 64, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* Records that item_id was routed to user_id and is not counted yet. */
void
counters_add_pending(ItemKind kind, int64 item_id, int64 user_id, TimestampTz at)
{
	PendingItemKey key = {.item_id = item_id,.kind = kind};
	PendingItem *item;
	PendingUser *user;
	bool		found;

	if (pending_items == NULL)
		pending_create();
	item = hash_search(pending_items, &key, HASH_ENTER, &found);
	item->user_id = user_id;
	user = hash_search(pending_users, &user_id, HASH_ENTER, &found);
	if (!found)
	{
		user->open[ITEM_TICKET] = user->open[ITEM_CONVERSATION] = 0;
		user->last_assigned_at = DT_NOBEGIN;
	}
	user->open[kind]++;
	user->last_assigned_at = Max(user->last_assigned_at, at);
}

/* The AFTER trigger is counting item_id: drop it from the overlay. */
void
counters_forget_pending(ItemKind kind, int64 item_id)
{
	PendingItemKey key = {.item_id = item_id,.kind = kind};
	PendingItem *item;
	PendingUser *user;

	if (pending_items == NULL)
		return;
	item = hash_search(pending_items, &key, HASH_FIND, NULL);
	if (item == NULL)
		return;
	user = hash_search(pending_users, &item->user_id, HASH_FIND, NULL);
	if (user != NULL)
		user->open[kind]--;
	hash_search(pending_items, &key, HASH_REMOVE, NULL);
}

/* Adds this transaction's routed-but-uncounted items to the candidates' load. */
void
counters_overlay_pending(Candidate *candidates, int count)
{
	if (pending_users == NULL || hash_get_num_entries(pending_items) == 0)
		return;
	for (int i = 0; i < count; i++)
	{
		PendingUser *user = hash_search(pending_users, &candidates[i].user_id, HASH_FIND, NULL);

		if (user == NULL)
			continue;
		candidates[i].open_tickets += user->open[ITEM_TICKET];
		candidates[i].open_conversations += user->open[ITEM_CONVERSATION];
		candidates[i].last_assigned_at = Max(candidates[i].last_assigned_at,
											 user->last_assigned_at);
	}
}

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

/* Drops the overlay at transaction end; its memory goes with the context. */
static void
counters_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			pending_items = NULL;
			pending_users = NULL;
			break;
		default:
			break;
	}
}

/* Called once from _PG_init. */
void
counters_register_callbacks(void)
{
	RegisterXactCallback(counters_xact_callback, NULL);
}
