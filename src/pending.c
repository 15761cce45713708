/*
 * pending.c: routing decisions waiting for their row to be inserted.
 *
 * The BEFORE INSERT trigger decides an item's owner, and counts it at once
 * (counters.c) so that concurrent decisions see it; but whether the row is
 * really inserted, and as what, is known only later: a BEFORE trigger of a
 * DBA's that fires after ours may change the row or skip it, and INSERT ...
 * ON CONFLICT may not insert it. So every row's decision waits here, with
 * the row as our trigger returned it and the handle of its count:
 *  - a statement's newest decision waits unsettled. When the next row of
 *    the same statement reaches BEFORE INSERT, the executor has inserted or
 *    skipped the previous one, and item_row_stored() tells which
 *    (pending_settle_previous()): a skipped row's decision is taken back
 *    there and then, rotation included, so the rows after it are routed as
 *    if it had never been decided;
 *  - a decision whose row was inserted waits in a table until that row's
 *    AFTER trigger takes it (pending_take()), keyed by item kind, id and
 *    assigned_at: an id alone can come twice in one statement, while
 *    assigned_at is a decision's own time (decision_clock()). The AFTER
 *    trigger checks the row as finally stored against the decision;
 *  - a statement's last decision, if its row never came, is taken back
 *    before the transaction commits (pending_settle_all()), or when the
 *    counts are shown.
 *
 * A statement is told by the memory context its row triggers are called
 * in: the executor's per-tuple context, one per statement (INSERT or COPY)
 * and the same for all its rows. Statements nest when triggers insert items;
 * a nested statement never settles an outer one's row, which is not yet
 * inserted. No statement-level trigger is needed: PostgreSQL keeps state per
 * subtransaction for a table with statement triggers (8 kB for each
 * released subtransaction that inserted an item), which a loop of
 * exception blocks would pile up until the transaction ends.
 *
 * Entries belong to a subtransaction, whose abort drops them (counters.c
 * takes back their counts itself). All memory lives in
 * TopTransactionContext.
 */
#include "hubroute.h"

#include "access/table.h"
#include "access/xact.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

typedef struct PendingKey
{
	int64		item_id;
	TimestampTz at;				/* the row's assigned_at (0 when NULL) */
	int32		kind;			/* ItemKind */
	int32		has_at;			/* assigned_at is not NULL */
} PendingKey;

typedef struct PendingEntry
{
	PendingKey	key;
	PendingDecision pending;
	MemoryContext statement;	/* the per-tuple context of its statement */
	SubTransactionId subxact;
} PendingEntry;

static HTAB *entries;			/* decisions whose rows were inserted */
static List *unsettled;			/* of PendingEntry *: each statement's newest */

/* The key of a row's decision. */
static PendingKey
key_of(ItemKind kind, const ItemRow *row)
{
	PendingKey	key;

	memset(&key, 0, sizeof(key));
	key.item_id = row->id;
	key.at = row->has_assigned_at ? row->assigned_at : 0;
	key.kind = kind;
	key.has_at = row->has_assigned_at;
	return key;
}

/* Creates this transaction's table. */
static void
pending_create(void)
{
	HASHCTL		ctl = {0};

	ctl.hcxt = TopTransactionContext;
	ctl.keysize = sizeof(PendingKey);
	ctl.entrysize = sizeof(PendingEntry);
	entries = hash_create("hubroute pending decisions", 64, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* Frees an entry outside the table; with cancel, its count is taken back too. */
static void
entry_free(PendingEntry *entry, bool cancel)
{
	if (cancel && entry->pending.effect >= 0)
		counters_cancel(entry->pending.effect);
	if (entry->pending.decision.reason != NULL)
		pfree(entry->pending.decision.reason);
	pfree(entry);
}

/* Puts an entry whose row was inserted into the table. */
static void
entry_keep(PendingEntry *entry)
{
	PendingEntry *kept;
	bool		found;

	if (entries == NULL)
		pending_create();
	kept = hash_search(entries, &entry->key, HASH_ENTER, &found);
	if (found)
	{
		/* The same id and assigned_at twice: an import into a table without its primary key. */
		if (kept->pending.decision.reason != NULL)
			pfree(kept->pending.decision.reason);
	}
	*kept = *entry;
	pfree(entry);
}

/* Settles an unsettled entry of rel: kept if its row was stored, else taken back. */
static void
entry_settle(Relation rel, PendingEntry *entry)
{
	ItemKind	kind = (ItemKind) entry->key.kind;

	unsettled = list_delete_ptr(unsettled, entry);
	if (item_row_stored(rel, kind, &entry->pending.row))
		entry_keep(entry);
	else
		entry_free(entry, true);
}

/* The unsettled entry of the statement whose row triggers run in context, or NULL. */
static PendingEntry *
statement_newest(MemoryContext statement)
{
	ListCell   *cell;

	foreach(cell, unsettled)
	{
		PendingEntry *entry = lfirst(cell);

		if (entry->statement == statement)
			return entry;
	}
	return NULL;
}

/*
 * BEFORE INSERT of a row of rel (called in the statement's per-tuple
 * context): was the statement's previous row inserted? If not, its decision
 * is taken back now.
 */
void
pending_settle_previous(Relation rel, ItemKind kind)
{
	PendingEntry *previous = statement_newest(CurrentMemoryContext);

	if (previous == NULL)
		return;
	Assert((ItemKind) previous->key.kind == kind);
	(void) kind;
	entry_settle(rel, previous);
}

/*
 * Settles every unsettled decision, of statements that have ended: before
 * the transaction commits, and before the counts are shown.
 */
void
pending_settle_all(void)
{
	while (unsettled != NIL)
	{
		PendingEntry *entry = linitial(unsettled);
		Relation	rel = open_to_read(hubroute_relid(item_kind_info((ItemKind) entry->key.kind)->table_id));

		entry_settle(rel, entry);
		table_close(rel, NoLock);
	}
}

/*
 * Records the decision for a row about to be inserted (called in its
 * statement's per-tuple context), as our trigger returns it (its skills
 * are not kept), with the handle of its count (-1: none).
 */
void
pending_add(ItemKind kind, const ItemRow *row, const RoutingDecision *decision, int effect)
{
	MemoryContext statement = CurrentMemoryContext;
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	PendingEntry *entry = palloc0(sizeof(PendingEntry));

	entry->key = key_of(kind, row);
	entry->pending.row = *row;
	entry->pending.row.skills = NULL;
	entry->pending.row.skill_count = 0;
	entry->pending.decision = *decision;
	entry->pending.decision.reason = decision->reason ? pstrdup(decision->reason) : NULL;
	entry->pending.decision.message = decision->message ? pstrdup(decision->message) : NULL;
	entry->pending.effect = effect;
	entry->statement = statement;
	entry->subxact = GetCurrentSubTransactionId();
	/* BEFORE INSERT settled the statement's previous row first. */
	Assert(statement_newest(statement) == NULL);
	unsettled = lappend(unsettled, entry);
	MemoryContextSwitchTo(old);
}

/*
 * The AFTER trigger of an inserted row takes the decision recorded for it
 * (by kind, id and assigned_at); false if there is none. The caller pfrees
 * pending->decision.reason.
 */
bool
pending_take(ItemKind kind, const ItemRow *row, PendingDecision *pending)
{
	PendingKey	key = key_of(kind, row);
	PendingEntry *entry;
	ListCell   *cell;

	foreach(cell, unsettled)
	{
		entry = lfirst(cell);
		if (memcmp(&entry->key, &key, sizeof(key)) == 0)
		{
			*pending = entry->pending;
			unsettled = foreach_delete_current(unsettled, cell);
			pfree(entry);
			return true;
		}
	}
	if (entries == NULL)
		return false;
	entry = hash_search(entries, &key, HASH_FIND, NULL);
	if (entry == NULL)
		return false;
	*pending = entry->pending;
	hash_search(entries, &key, HASH_REMOVE, NULL);
	return true;
}

/*
 * Transaction end: a statement's last decision whose row never came is
 * taken back before commit; then everything goes with TopTransactionContext.
 */
static void
pending_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			pending_settle_all();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			entries = NULL;
			unsettled = NIL;
			break;
		default:
			break;
	}
}

/* Subtransaction abort: drop its decisions (counters.c takes back their counts). */
static void
pending_subxact_callback(SubXactEvent event, SubTransactionId subxact,
						 SubTransactionId parent pg_attribute_unused(),
						 void *arg pg_attribute_unused())
{
	HASH_SEQ_STATUS scan;
	PendingEntry *entry;
	ListCell   *cell;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	if (entries != NULL)
	{
		hash_seq_init(&scan, entries);
		while ((entry = hash_seq_search(&scan)) != NULL)
			if (entry->subxact >= subxact)
			{
				if (entry->pending.decision.reason != NULL)
					pfree(entry->pending.decision.reason);
				hash_search(entries, &entry->key, HASH_REMOVE, NULL);
			}
	}
	foreach(cell, unsettled)
	{
		entry = lfirst(cell);
		if (entry->subxact >= subxact)
		{
			unsettled = foreach_delete_current(unsettled, cell);
			entry_free(entry, false);
		}
	}
}

/* Called once from _PG_init. */
void
pending_register_callbacks(void)
{
	RegisterXactCallback(pending_xact_callback, NULL);
	RegisterSubXactCallback(pending_subxact_callback, NULL);
}
