/*
 * pending.c: routing decisions waiting for their row to be inserted.
 *
 * The BEFORE INSERT trigger decides an item's owner, and counts it at once
 * (counters.c) so that concurrent decisions see it; but only the AFTER ROW
 * trigger knows the row was really inserted (a later BEFORE trigger may
 * skip it, INSERT ... ON CONFLICT may not insert it). So the decision waits
 * here, keyed by item, with the handle of its count, and the AFTER trigger
 * takes it to log it. A decision whose row never came is taken back when
 * its statement ends.
 *
 * Entries belong to an INSERT statement (a stack kept by statement-level
 * triggers, since statements nest when triggers insert items) and to a
 * subtransaction, whose abort drops them (counters.c takes back their
 * counts itself). All memory lives in TopTransactionContext.
 */
#include "hubroute.h"

#include "access/xact.h"
#include "nodes/pg_list.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

typedef struct PendingKey
{
	int64		item_id;
	int64		kind;			/* ItemKind, widened so the key has no padding */
} PendingKey;

typedef struct PendingEntry
{
	PendingKey	key;
	RoutingDecision decision;
	int			effect;			/* counters.c handle of the decision's count, or -1 */
	int64		statement;		/* serial of the INSERT statement that decided it */
	SubTransactionId subxact;
} PendingEntry;

/* An INSERT statement on an item table that has begun and not ended. */
typedef struct StatementFrame
{
	int64		serial;
	SubTransactionId subxact;
} StatementFrame;

static HTAB *entries;
static List *statements;		/* of StatementFrame *, innermost first */
static int64 statement_serial;

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

/* An INSERT statement on an item table begins. */
void
pending_statement_begin(void)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	StatementFrame *frame = palloc(sizeof(StatementFrame));

	frame->serial = ++statement_serial;
	frame->subxact = GetCurrentSubTransactionId();
	statements = lcons(frame, statements);
	MemoryContextSwitchTo(old);
}

/* Forgets an entry; with cancel, its count is taken back too. */
static void
pending_forget(PendingEntry *entry, bool cancel)
{
	if (cancel && entry->effect >= 0)
		counters_cancel(entry->effect);
	if (entry->decision.reason != NULL)
		pfree(entry->decision.reason);
	hash_search(entries, &entry->key, HASH_REMOVE, NULL);
}

/* Forgets every entry for which forget(entry, arg) holds. */
static void
pending_forget_where(bool (*forget) (const PendingEntry *, int64), int64 arg, bool cancel)
{
	HASH_SEQ_STATUS scan;
	PendingEntry *entry;

	if (entries == NULL || hash_get_num_entries(entries) == 0)
		return;
	hash_seq_init(&scan, entries);
	while ((entry = hash_seq_search(&scan)) != NULL)
		if (forget(entry, arg))
			pending_forget(entry, cancel);
}

/* Was entry decided by statement serial? */
static bool
decided_by_statement(const PendingEntry *entry, int64 serial)
{
	return entry->statement == serial;
}

/* Was entry decided inside subtransaction subxact or one of its children? */
static bool
decided_inside(const PendingEntry *entry, int64 subxact)
{
	return entry->subxact >= (SubTransactionId) subxact;
}

/*
 * The innermost INSERT statement ends: its rows that were never inserted
 * (ON CONFLICT, skipped by another trigger) leave their decisions behind,
 * and their counts are taken back.
 */
void
pending_statement_end(void)
{
	StatementFrame *frame;

	if (statements == NIL)
		return;
	frame = linitial(statements);
	pending_forget_where(decided_by_statement, frame->serial, true);
	statements = list_delete_first(statements);
	pfree(frame);
}

/*
 * Records the decision for an item about to be inserted, with the handle of
 * its count (-1: not counted yet).
 */
void
pending_add(ItemKind kind, int64 item_id, const RoutingDecision *decision, int effect)
{
	PendingKey	key = {.item_id = item_id,.kind = kind};
	PendingEntry *entry;
	bool		found;

	if (entries == NULL)
		pending_create();
	entry = hash_search(entries, &key, HASH_FIND, NULL);
	if (entry != NULL)
		pending_forget(entry, true);	/* the same id again: the first row never came */
	entry = hash_search(entries, &key, HASH_ENTER, &found);
	entry->decision = *decision;
	entry->decision.reason = decision->reason
		? MemoryContextStrdup(TopTransactionContext, decision->reason) : NULL;
	entry->effect = effect;
	entry->statement = statements != NIL ? ((StatementFrame *) linitial(statements))->serial : 0;
	entry->subxact = GetCurrentSubTransactionId();
}

/*
 * The AFTER trigger takes the decision of an inserted item, and the handle
 * of its count; false if none. The caller pfrees decision->reason.
 */
bool
pending_take(ItemKind kind, int64 item_id, RoutingDecision *decision, int *effect)
{
	PendingKey	key = {.item_id = item_id,.kind = kind};
	PendingEntry *entry;

	if (entries == NULL)
		return false;
	entry = hash_search(entries, &key, HASH_FIND, NULL);
	if (entry == NULL)
		return false;
	*decision = entry->decision;
	*effect = entry->effect;
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
	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	pending_forget_where(decided_inside, subxact, false);
	while (statements != NIL &&
		   ((StatementFrame *) linitial(statements))->subxact >= subxact)
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
