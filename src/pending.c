/*
 * pending.c: routing decisions waiting for their row to be inserted.
 *
 * The BEFORE INSERT trigger decides an item's owner, and counts it at once
 * (counters.c) so that concurrent decisions see it; but whether the row is
 * really inserted, and as what, is known only later: a BEFORE trigger of a
 * DBA's that fires after ours may change the row or skip it, and INSERT ...
 * ON CONFLICT may not insert it. So every row's decision waits here, with
 * the row as our trigger returned it and the handle of its count:
 *  - the statement's newest decision waits in the statement's frame. When
 *    the next row of the statement reaches BEFORE INSERT, the executor has
 *    inserted or skipped the previous one, and item_row_stored() tells which
 *    (pending_settle_previous()): a skipped row's decision is taken back
 *    there and then, rotation included, so the rows after it are routed as
 *    if it had never been decided;
 *  - a decision whose row was inserted waits in a table until that row's
 *    AFTER trigger takes it (pending_take()), keyed by item kind, id and
 *    assigned_at: an id alone can come twice in one statement, while
 *    assigned_at is a decision's own time (decision_clock()). The AFTER
 *    trigger checks the row as finally stored against the decision;
 *  - when the statement ends, a newest decision that was never taken is one
 *    whose row never came: it is taken back too.
 *
 * Frames form a stack, since statements nest when triggers insert items.
 * Entries belong to a subtransaction, whose abort drops them (counters.c
 * takes back their counts itself). All memory lives in
 * TopTransactionContext.
 */
#include "hubroute.h"

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
	int64		statement;		/* serial of the INSERT statement that decided it */
	SubTransactionId subxact;
} PendingEntry;

/* An INSERT statement on an item table that has begun and not ended. */
typedef struct StatementFrame
{
	int64		serial;
	SubTransactionId subxact;
	PendingEntry *newest;		/* its newest decision, row not known inserted yet */
} StatementFrame;

static HTAB *entries;			/* decisions whose rows were inserted */
static List *statements;		/* of StatementFrame *, innermost first */
static int64 statement_serial;

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

/* The innermost statement's frame, or NULL outside one. */
static StatementFrame *
current_frame(void)
{
	return statements != NIL ? linitial(statements) : NULL;
}

/* An INSERT statement on an item table begins. */
void
pending_statement_begin(void)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	StatementFrame *frame = palloc0(sizeof(StatementFrame));

	frame->serial = ++statement_serial;
	frame->subxact = GetCurrentSubTransactionId();
	statements = lcons(frame, statements);
	MemoryContextSwitchTo(old);
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

/*
 * The innermost INSERT statement ends: its newest decision, if its AFTER
 * trigger did not take it, had no row, and is taken back.
 */
void
pending_statement_end(void)
{
	StatementFrame *frame = current_frame();

	if (frame == NULL)
		return;
	if (frame->newest != NULL)
		entry_free(frame->newest, true);
	statements = list_delete_first(statements);
	pfree(frame);
}

/*
 * BEFORE INSERT of the next row of a statement: was the previous row
 * inserted? If not, its decision is taken back now.
 */
void
pending_settle_previous(Relation rel, ItemKind kind)
{
	StatementFrame *frame = current_frame();
	PendingEntry *previous;

	if (frame == NULL || frame->newest == NULL)
		return;
	previous = frame->newest;
	frame->newest = NULL;
	if ((ItemKind) previous->key.kind == kind && item_row_stored(rel, kind, &previous->pending.row))
		entry_keep(previous);
	else
		entry_free(previous, true);
}

/*
 * Records the decision for a row about to be inserted, as our trigger
 * returns it (its skills are not kept), with the handle of its count
 * (-1: none).
 */
void
pending_add(ItemKind kind, const ItemRow *row, const RoutingDecision *decision, int effect)
{
	PendingEntry *entry = MemoryContextAllocZero(TopTransactionContext, sizeof(PendingEntry));
	StatementFrame *frame = current_frame();

	entry->key = key_of(kind, row);
	entry->pending.row = *row;
	entry->pending.row.skills = NULL;
	entry->pending.row.skill_count = 0;
	entry->pending.decision = *decision;
	entry->pending.decision.reason = decision->reason
		? MemoryContextStrdup(TopTransactionContext, decision->reason) : NULL;
	entry->pending.effect = effect;
	entry->subxact = GetCurrentSubTransactionId();
	if (frame == NULL)
	{
		entry_keep(entry);		/* no statement trigger (disabled): cannot settle later */
		return;
	}
	/* BEFORE INSERT settled the previous row first; without a relation, keep it. */
	Assert(frame->newest == NULL);
	if (frame->newest != NULL)
		entry_keep(frame->newest);
	entry->statement = frame->serial;
	frame->newest = entry;
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
	StatementFrame *frame = current_frame();
	PendingEntry *entry;

	if (frame != NULL && frame->newest != NULL &&
		memcmp(&frame->newest->key, &key, sizeof(key)) == 0)
	{
		*pending = frame->newest->pending;
		pfree(frame->newest);
		frame->newest = NULL;
		return true;
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

/* Transaction end: everything goes with TopTransactionContext. */
static void
pending_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			entries = NULL;
			statements = NIL;
			break;
		default:
			break;
	}
}

/*
 * Subtransaction abort: drop its decisions (counters.c takes back their
 * counts) and its unfinished statements.
 */
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
	foreach(cell, statements)
	{
		StatementFrame *frame = lfirst(cell);

		if (frame->newest != NULL && frame->newest->subxact >= subxact)
		{
			entry_free(frame->newest, false);
			frame->newest = NULL;
		}
	}
	while (statements != NIL && ((StatementFrame *) linitial(statements))->subxact >= subxact)
	{
		pfree(linitial(statements));
		statements = list_delete_first(statements);
	}
}

/* Called once from _PG_init. */
void
pending_register_callbacks(void)
{
	RegisterXactCallback(pending_xact_callback, NULL);
	RegisterSubXactCallback(pending_subxact_callback, NULL);
}
