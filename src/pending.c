/*
 * pending.c: routing decisions waiting for their row to be inserted.
 *
 * The BEFORE INSERT trigger decides an item's owner, but only the AFTER ROW
 * trigger knows the row was really inserted (a later BEFORE trigger may
 * skip it, INSERT ... ON CONFLICT may not insert it, the statement may fail).
 * So the decision waits here, keyed by item, and the AFTER trigger takes it
 * to log it and count the row. AFTER ROW triggers fire at the end of the
 * statement, so while a multi-row INSERT is routed, the rows decided so far
 * are not counted yet: strategies add them from here (the overlay), which
 * routes the rows of one statement as if one at a time.
 *
 * Entries belong to an INSERT statement (a stack kept by statement-level
 * triggers, since statements nest when triggers insert items) and to a
 * subtransaction: a statement's end drops what its rows left behind, a
 * subtransaction abort drops what was added inside it. All memory lives in
 * TopTransactionContext and is dropped at transaction end.
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
	bool		counts;			/* the row will count on decision.user_id's load */
	int64		statement;		/* serial of the INSERT statement that decided it */
	SubTransactionId subxact;
} PendingEntry;

/* Per user: items decided for it and not counted yet. */
typedef struct PendingLoad
{
	int64		user_id;
	int32		open[2];		/* by ItemKind */
	TimestampTz last_assigned_at;
} PendingLoad;

/* An INSERT statement on an item table that has begun and not ended. */
typedef struct StatementFrame
{
	int64		serial;
	SubTransactionId subxact;
} StatementFrame;

static HTAB *entries;
static HTAB *loads;
static List *statements;		/* of StatementFrame *, innermost first */
static int64 statement_serial;

/* Creates this transaction's tables. */
static void
pending_create(void)
{
	HASHCTL		ctl = {0};

	ctl.hcxt = TopTransactionContext;
	ctl.keysize = sizeof(PendingKey);
	ctl.entrysize = sizeof(PendingEntry);
	entries = hash_create("hubroute pending decisions", 64, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(PendingLoad);
	loads = hash_create("hubroute pending loads", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* Adds (delta 1) or removes (delta -1) an entry's item from its owner's load. */
static void
load_move(const PendingEntry *entry, int delta)
{
	const RoutingDecision *decision = &entry->decision;
	PendingLoad *load;
	bool		found;

	if (!entry->counts)
		return;
	load = hash_search(loads, &decision->user_id, HASH_ENTER, &found);
	if (!found)
	{
		load->open[ITEM_TICKET] = load->open[ITEM_CONVERSATION] = 0;
		load->last_assigned_at = DT_NOBEGIN;
	}
	load->open[entry->key.kind] += delta;
	if (delta > 0)
		load->last_assigned_at = Max(load->last_assigned_at, decision->at);
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

/* Removes every entry for which drop(entry, arg) holds. */
static void
pending_drop_where(bool (*drop) (const PendingEntry *, int64), int64 arg)
{
	HASH_SEQ_STATUS scan;
	PendingEntry *entry;

	if (entries == NULL)
		return;
	hash_seq_init(&scan, entries);
	while ((entry = hash_seq_search(&scan)) != NULL)
	{
		if (!drop(entry, arg))
			continue;
		load_move(entry, -1);
		hash_search(entries, &entry->key, HASH_REMOVE, NULL);
	}
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
 * (ON CONFLICT, skipped by another trigger) leave their decisions behind.
 */
void
pending_statement_end(void)
{
	StatementFrame *frame;

	if (statements == NIL)
		return;
	frame = linitial(statements);
	pending_drop_where(decided_by_statement, frame->serial);
	statements = list_delete_first(statements);
	pfree(frame);
}

/*
 * Records the decision for an item about to be inserted; with counts, the
 * row will count on the decided user's load once inserted.
 */
void
pending_add(ItemKind kind, int64 item_id, const RoutingDecision *decision, bool counts)
{
	PendingKey	key = {.item_id = item_id,.kind = kind};
	PendingEntry *entry;
	bool		found;

	if (entries == NULL)
		pending_create();
	entry = hash_search(entries, &key, HASH_ENTER, &found);
	if (found)
		load_move(entry, -1);
	entry->decision = *decision;
	entry->decision.reason = decision->reason
		? MemoryContextStrdup(TopTransactionContext, decision->reason) : NULL;
	entry->counts = counts;
	entry->statement = statements != NIL ? ((StatementFrame *) linitial(statements))->serial : 0;
	entry->subxact = GetCurrentSubTransactionId();
	load_move(entry, 1);
}

/* The AFTER trigger takes the decision of an inserted item; false if none. */
bool
pending_take(ItemKind kind, int64 item_id, RoutingDecision *decision)
{
	PendingKey	key = {.item_id = item_id,.kind = kind};
	PendingEntry *entry;

	if (entries == NULL)
		return false;
	entry = hash_search(entries, &key, HASH_FIND, NULL);
	if (entry == NULL)
		return false;
	*decision = entry->decision;
	load_move(entry, -1);
	hash_search(entries, &key, HASH_REMOVE, NULL);
	return true;
}

/* Adds the decided-but-uncounted items to the candidates' load. */
void
pending_overlay(Candidate *candidates, int count)
{
	if (loads == NULL || hash_get_num_entries(entries) == 0)
		return;
	for (int i = 0; i < count; i++)
	{
		PendingLoad *load = hash_search(loads, &candidates[i].user_id, HASH_FIND, NULL);

		if (load == NULL)
			continue;
		candidates[i].open_tickets += load->open[ITEM_TICKET];
		candidates[i].open_conversations += load->open[ITEM_CONVERSATION];
		candidates[i].last_assigned_at = Max(candidates[i].last_assigned_at,
											 load->last_assigned_at);
	}
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
			loads = NULL;
			statements = NIL;
			break;
		default:
			break;
	}
}

/* Subtransaction abort: drop its decisions and its unfinished statements. */
static void
pending_subxact_callback(SubXactEvent event, SubTransactionId subxact,
						 SubTransactionId parent pg_attribute_unused(),
						 void *arg pg_attribute_unused())
{
	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	pending_drop_where(decided_inside, subxact);
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
