/*
 * counters.c: open items per user, last assignments and round-robin
 * rotations, kept in shared memory (shared_state.c) equal to the tables,
 * with transaction semantics.
 *
 * How a transaction's changes take effect, so that routing stays as if
 * serial while no decision ever waits:
 *  - a decision (a routed, manually owned or imported new item, or
 *    route_ticket()/route_conversation()) takes effect at once, so that
 *    concurrent decisions see it: one more open item for its owner (when
 *    the item is open), the owner's last assignment, and the rotation it
 *    moved. It is one EFFECT_GAIN, which an abort, or a row that never gets
 *    inserted, takes back as a whole;
 *  - a decision of a drain (drain.c) that gives a user room only this
 *    transaction made (its own close, at commit) counts its open item at
 *    commit too (an EFFECT_GAIN with open items "at_commit"): the two
 *    cancel out, so that other transactions see the user as full until the
 *    close commits, and not fuller than it will be after;
 *  - a change to an existing item (closed, reopened, reassigned, deleted, a
 *    reply) counts at commit (EFFECT_CHANGE). The transaction's own
 *    decisions see its own changes at once (own_changes); other
 *    transactions' decisions route on the counts as they stand, without the
 *    change, until it commits. SPEC §2 promises the spread of 1 only while
 *    no items close, and a decision that waited for a change could close a
 *    lock cycle with the application's own row locks (locking.c).
 * Each change is an Effect in a list kept for the transaction; a
 * subtransaction abort undoes its own suffix of it.
 *
 * The last assignment of a user is the latest "at" of the log rows that name
 * it: every logged decision with an owner stamps it, open item or not, so
 * that a decision never depends on whether the server restarted (a restart
 * loads it back from the log, counters_load.c).
 */
#include "hubroute.h"

#include "access/xact.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

typedef enum EffectKind
{
	EFFECT_GAIN,				/* now, undone by an abort */
	EFFECT_CHANGE				/* at commit */
} EffectKind;

typedef struct Effect
{
	EffectKind	what;
	bool		settled;		/* done with already: nothing left to do */
	ItemKind	kind;
	SubTransactionId subxact;
	UserLoad   *load;
	int			delta;			/* open items of kind gained (GAIN: 0 or 1) */
	int			at_commit;		/* GAIN: open items of kind gained at commit (0 or 1) */
	bool		stamped;		/* last_assigned_at moved (GAIN) or moves (CHANGE) to stamp */
	TimestampTz stamp;			/* the decision's time; DT_NOBEGIN: none */
	Rotation   *rotation;		/* GAIN: moved to load's user, from previous_* */
	bool		previous_started;
	int64		previous_user;
} Effect;

/* This transaction's changes at commit, per user, as its own decisions see them. */
typedef struct OwnChanges
{
	int64		user_id;
	int32		delta[2];		/* by ItemKind */
	TimestampTz stamp;			/* DT_NOBEGIN: none */
} OwnChanges;

static Effect *effects = NULL;	/* in TopTransactionContext */
static int	effect_count = 0;
static int	effect_space = 0;
static HTAB *own_changes = NULL;	/* user id -> OwnChanges, for EFFECT_CHANGE */
static SubTransactionId reload_requested = InvalidSubTransactionId;

/* Appends an effect of the current subtransaction; returns its handle. */
static int
effect_push(const Effect *effect)
{
	if (effect_count == effect_space)
	{
		effect_space = Max(16, effect_space * 2);
		effects = effects == NULL
			? MemoryContextAlloc(TopTransactionContext, sizeof(Effect) * effect_space)
			: repalloc(effects, sizeof(Effect) * effect_space);
	}
	effects[effect_count] = *effect;
	effects[effect_count].subxact = GetCurrentSubTransactionId();
	return effect_count++;
}

/* Moves last_assigned_at forward to at (the caller holds the decision lock). */
static void
stamp_load(UserLoad *load, TimestampTz at)
{
	if (at > load->last_assigned_at)
		load->last_assigned_at = at;
}

/* Does effect count open items at commit (a CHANGE, or a drain's GAIN)? */
static inline bool
counts_at_commit(const Effect *effect)
{
	return effect->what == EFFECT_CHANGE || effect->at_commit != 0;
}

/* Adds a change at commit to own_changes. */
static void
own_changes_add(const Effect *effect)
{
	OwnChanges *own;
	bool		found;

	if (own_changes == NULL)
	{
		HASHCTL		ctl = {.keysize = sizeof(int64),.entrysize = sizeof(OwnChanges),
		.hcxt = TopTransactionContext};

		own_changes = hash_create("hubroute own changes", 64, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	own = hash_search(own_changes, &effect->load->user_id, HASH_ENTER, &found);
	if (!found)
	{
		own->delta[ITEM_TICKET] = own->delta[ITEM_CONVERSATION] = 0;
		own->stamp = DT_NOBEGIN;
	}
	own->delta[effect->kind] += effect->what == EFFECT_CHANGE ? effect->delta : effect->at_commit;
	if (effect->what == EFFECT_CHANGE && effect->stamped && effect->stamp > own->stamp)
		own->stamp = effect->stamp;
}

/* Builds own_changes again from the changes still standing. */
static void
own_changes_rebuild(void)
{
	if (own_changes != NULL)
		hash_destroy(own_changes);
	own_changes = NULL;
	for (int i = 0; i < effect_count; i++)
		if (counts_at_commit(&effects[i]) && !effects[i].settled)
			own_changes_add(&effects[i]);
}

/*
 * Ends an effect of a transaction that aborted, or of a decision whose row
 * never came: a GAIN is taken back (count, stamp and rotation, each unless
 * a later decision moved it further), a CHANGE dropped (the caller holds the
 * decision lock).
 */
static void
effect_undo(Effect *effect)
{
	if (effect->settled)
		return;
	effect->settled = true;
	if (effect->what == EFFECT_CHANGE)
		return;
	effect->load->open[effect->kind] -= effect->delta;
	/*
	 * Back to the latest committed stamp, not the one this decision found:
	 * that one may be another's that is undone too. A later decision still
	 * in flight gets its stamp back when it commits.
	 */
	if (effect->stamped && effect->load->last_assigned_at == effect->stamp)
		effect->load->last_assigned_at = effect->load->committed_assigned_at;
	shared_note_change(effect->load->user_id);
	if (effect->rotation != NULL && effect->rotation->started &&
		effect->rotation->last_user_id == effect->load->user_id)
	{
		effect->rotation->started = effect->previous_started;
		effect->rotation->last_user_id = effect->previous_user;
	}
}

/*
 * A decision giving an item of kind to load's user, now: delta (0 or 1)
 * more open items, its last assignment at stamp (DT_NOBEGIN: none), and,
 * for round robin, rotation moved to the user. The caller holds the
 * decision lock. Returns a handle for counters_cancel(), or -1 when the
 * decision changes nothing.
 */
int
counters_gain_locked(ItemKind kind, UserLoad *load, int delta, TimestampTz stamp, Rotation *rotation)
{
	Effect		effect = {.what = EFFECT_GAIN,.kind = kind,.load = load,.delta = delta,.stamp = stamp};

	if (delta == 0 && stamp == DT_NOBEGIN && rotation == NULL)
		return -1;
	load->open[kind] += delta;
	shared_note_change(load->user_id);
	if (stamp != DT_NOBEGIN && stamp > load->last_assigned_at)
	{
		effect.stamped = true;
		stamp_load(load, stamp);
	}
	if (rotation != NULL)
	{
		effect.rotation = rotation;
		effect.previous_started = rotation->started;
		effect.previous_user = rotation->last_user_id;
		rotation->started = true;
		rotation->last_user_id = load->user_id;
	}
	return effect_push(&effect);
}

/*
 * counters_gain_locked() of a drain's decision that gives load's user room
 * only this transaction made: its open item counts at commit, when that
 * room does; its last assignment and rotation move now.
 */
int
counters_gain_at_commit_locked(ItemKind kind, UserLoad *load, TimestampTz stamp, Rotation *rotation)
{
	int			handle = counters_gain_locked(kind, load, 0, stamp, rotation);

	if (handle < 0)
	{
		Effect		effect = {.what = EFFECT_GAIN,.kind = kind,.load = load,.stamp = DT_NOBEGIN};

		handle = effect_push(&effect);
	}
	effects[handle].at_commit = 1;
	return handle;
}

/* Counts a gain at commit in own_changes (after the decision lock is released). */
void
counters_note_own_gain(int handle)
{
	Assert(handle >= 0 && handle < effect_count);
	own_changes_add(&effects[handle]);
}

/*
 * Moves a routing decision's time *at past load's last assignment (by a
 * microsecond, when the clock has not): decisions then stamp in the order
 * they take the decision lock, so a decision that came after another but
 * read the clock before it still stamps, and one taken back (effect_undo())
 * never leaves it hidden. The caller holds the lock.
 */
void
counters_decision_time_locked(const UserLoad *load, TimestampTz *at)
{
	if (*at <= load->last_assigned_at)
		*at = load->last_assigned_at + 1;
}

/* counters_gain_locked() for user_id, without a rotation, taking the lock itself. */
int
counters_gain(ItemKind kind, int64 user_id, int delta, TimestampTz stamp)
{
	UserLoad   *load = shared_user_load(user_id);
	int			effect;

	decision_lock();
	effect = counters_gain_locked(kind, load, delta, stamp, NULL);
	decision_unlock();
	return effect;
}

/*
 * delta open items of kind for user_id when this transaction commits, and
 * its last assignment at stamp (DT_NOBEGIN: none); this transaction's own
 * decisions see it at once.
 */
void
counters_change_at_commit(ItemKind kind, int64 user_id, int delta, TimestampTz stamp)
{
	Effect		effect = {
		.what = EFFECT_CHANGE,.kind = kind,.load = shared_user_load(user_id),
		.delta = delta,.stamped = stamp != DT_NOBEGIN,.stamp = stamp,
	};

	(void) effect_push(&effect);
	own_changes_add(&effect);
}

/*
 * load as this transaction's decisions see it: the shared figures (every
 * transaction's decisions, committed changes) plus this transaction's own
 * changes at commit. The caller holds the decision lock, or passes a copy.
 */
void
counters_read(const UserLoad *load, int32 open[2], TimestampTz *last_assigned_at)
{
	OwnChanges *own = own_changes == NULL ? NULL
		: hash_search(own_changes, &load->user_id, HASH_FIND, NULL);

	open[ITEM_TICKET] = load->open[ITEM_TICKET];
	open[ITEM_CONVERSATION] = load->open[ITEM_CONVERSATION];
	*last_assigned_at = load->last_assigned_at;
	if (own == NULL)
		return;
	open[ITEM_TICKET] += own->delta[ITEM_TICKET];
	open[ITEM_CONVERSATION] += own->delta[ITEM_CONVERSATION];
	if (own->stamp > *last_assigned_at)
		*last_assigned_at = own->stamp;
}

/* Has this transaction changes at commit that its own decisions must see? */
bool
counters_have_own_changes(void)
{
	return own_changes != NULL;
}

/* Is handle a decision, still standing, counted on user_id's load? */
bool
counters_effect_is_for(int handle, int64 user_id)
{
	Assert(handle >= 0 && handle < effect_count);
	return effects[handle].what == EFFECT_GAIN && !effects[handle].settled &&
		effects[handle].load->user_id == user_id;
}

/* Takes back the decision of handle now: its item was never inserted. */
void
counters_cancel(int handle)
{
	bool		own_change;

	Assert(handle >= 0 && handle < effect_count);
	own_change = effects[handle].at_commit != 0 && !effects[handle].settled;
	decision_lock();
	effect_undo(&effects[handle]);
	decision_unlock();
	if (own_change)
		own_changes_rebuild();
}

/* The counts are to be loaded afresh from the tables once this transaction commits. */
void
counters_request_reload(void)
{
	if (reload_requested == InvalidSubTransactionId)
		reload_requested = GetCurrentSubTransactionId();
}

/*
 * Commit: the changes take effect; or, after a rebuild, everything is
 * loaded again.
 */
static void
counters_commit(void)
{
	decision_lock();
	for (int i = 0; i < effect_count; i++)
	{
		Effect	   *effect = &effects[i];

		if (effect->settled)
			continue;
		if (effect->what == EFFECT_GAIN && effect->at_commit != 0)
		{
			effect->load->open[effect->kind] += effect->at_commit;
			shared_note_change(effect->load->user_id);
		}
		if (effect->what == EFFECT_CHANGE)
		{
			effect->load->open[effect->kind] += effect->delta;
			shared_note_change(effect->load->user_id);
		}
		/* Committed: a stamp an undone decision took away meanwhile comes back. */
		if (effect->stamp != DT_NOBEGIN && (effect->what == EFFECT_GAIN || effect->stamped))
		{
			stamp_load(effect->load, effect->stamp);
			if (effect->stamp > effect->load->committed_assigned_at)
				effect->load->committed_assigned_at = effect->stamp;
			shared_note_change(effect->load->user_id);
		}
	}
	if (reload_requested != InvalidSubTransactionId)
		shared_state()->loaded = false;
	decision_unlock();
}

/* Undoes the effects from index first on, newest first. */
static void
counters_undo_from(int first)
{
	bool		changes_undone = false;

	decision_lock();
	for (int i = effect_count - 1; i >= first; i--)
	{
		changes_undone |= counts_at_commit(&effects[i]) && !effects[i].settled;
		effect_undo(&effects[i]);
	}
	decision_unlock();
	effect_count = first;
	if (changes_undone)
		own_changes_rebuild();
}

/* Refuses PREPARE TRANSACTION of a transaction with hubroute effects, saying which. */
static void
refuse_prepare(void)
{
	bool		decided = false,
				changed = false;

	for (int i = 0; i < effect_count; i++)
	{
		decided |= effects[i].what == EFFECT_GAIN && !effects[i].settled;
		changed |= effects[i].what == EFFECT_CHANGE && !effects[i].settled;
	}
	if (!decided && !changed && reload_requested == InvalidSubTransactionId)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("cannot PREPARE a transaction that %s",
					decided ? "inserted or routed hubroute items"
					: changed ? "closed, reopened, reassigned, replied to or deleted hubroute items"
					: "called hubroute.rebuild_counters()"),
			 errdetail("hubroute keeps the routing counts this transaction changes in its session"
					   " until the transaction ends, and a prepared transaction outlives it."),
			 errhint("Commit such changes in an ordinary transaction; keep two-phase commit for"
					 " transactions that do not write hubroute's items.")));
}

/* Forgets the transaction's effects (their memory went with TopTransactionContext). */
static void
counters_forget(void)
{
	effects = NULL;
	effect_count = effect_space = 0;
	own_changes = NULL;
	reload_requested = InvalidSubTransactionId;
}

/* Transaction end. */
static void
counters_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			refuse_prepare();
			return;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (effect_count > 0 || reload_requested != InvalidSubTransactionId)
				counters_commit();
			counters_forget();
			return;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (effect_count > 0)
				counters_undo_from(0);
			counters_forget();
			return;
		case XACT_EVENT_PREPARE:
			counters_forget();
			return;
		default:
			return;
	}
}

/* Subtransaction abort: its effects are a suffix of the list. */
static void
counters_subxact_callback(SubXactEvent event, SubTransactionId subxact,
						  SubTransactionId parent pg_attribute_unused(),
						  void *arg pg_attribute_unused())
{
	int			first = effect_count;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	while (first > 0 && effects[first - 1].subxact >= subxact)
		first--;
	if (first < effect_count)
		counters_undo_from(first);
	if (reload_requested >= subxact)
		reload_requested = InvalidSubTransactionId;
}

/* Called once from _PG_init. */
void
counters_register_callbacks(void)
{
	RegisterXactCallback(counters_xact_callback, NULL);
	RegisterSubXactCallback(counters_subxact_callback, NULL);
}
