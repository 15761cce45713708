/*
 * counters.c: open items per user and round-robin rotations, kept in shared
 * memory (shared_state.c) equal to the tables, with transaction semantics.
 *
 * How a transaction's changes take effect, so that routing stays as if
 * serial while inserts wait for nobody:
 *  - a routed or inserted item counts at once, so that concurrent decisions
 *    see it; an abort takes it back (EFFECT_GAIN);
 *  - a change to an existing item (closed, reopened, reassigned, deleted,
 *    a reply) counts at commit (EFFECT_CHANGE), and meanwhile marks its
 *    users unsettled (EFFECT_UNSETTLED: a counter in the slot, and a lock
 *    on the user held to commit). A balanced or least-busy decision whose
 *    candidates are unsettled waits for those transactions to end before it
 *    compares: it then routes as if after them, whether they committed or
 *    rolled back. Changes are rare next to inserts, so inserts rarely wait;
 *  - a round-robin rotation moves at once; an abort moves it back when no
 *    later decision moved it further (EFFECT_ROTATE).
 * Each change is an Effect in a list kept for the transaction; a
 * subtransaction abort undoes its own suffix of it.
 *
 * The counts are loaded from the tables the first time a database routes
 * after the server starts (and after hubroute.rebuild_counters()): see
 * counters_load.c, and locking.c for the whole protocol.
 */
#include "hubroute.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/memutils.h"

typedef enum EffectKind
{
	EFFECT_GAIN,				/* +1 now, undone by an abort */
	EFFECT_CHANGE,				/* delta at commit */
	EFFECT_UNSETTLED,			/* load->unsettled raised until the end */
	EFFECT_ROTATE				/* rotation moved now, moved back by an abort */
} EffectKind;

typedef struct Effect
{
	EffectKind	what;
	bool		settled;		/* done with already: nothing left to do */
	ItemKind	kind;
	SubTransactionId subxact;
	UserLoad   *load;			/* GAIN, CHANGE, UNSETTLED */
	int			delta;			/* CHANGE */
	bool		stamped;		/* GAIN, CHANGE: last_assigned_at moves ... */
	TimestampTz stamp;			/* ... to this (GAIN: from previous_stamp) */
	TimestampTz previous_stamp;
	Rotation   *rotation;		/* ROTATE: to user, from previous_* */
	int64		user;
	bool		previous_started;
	int64		previous_user;
} Effect;

static Effect *effects = NULL;	/* in TopTransactionContext */
static int	effect_count = 0;
static int	effect_space = 0;
static int	unsettled_count = 0;	/* EFFECT_UNSETTLED in the list */
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

/* The lock a transaction changing user_id's count holds (advisory space 3). */
static void
user_lock_tag(LOCKTAG *tag, int64 user_id)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) ((uint64) user_id >> 32), (uint32) user_id, 3);
}

/* Moves last_assigned_at forward to at (the caller holds the decision lock). */
static void
stamp_load(UserLoad *load, TimestampTz at)
{
	if (at > load->last_assigned_at)
		load->last_assigned_at = at;
}

/*
 * Ends an effect of a transaction that aborted, or of a decision whose row
 * never came: a GAIN or a ROTATE is taken back, a CHANGE dropped, an
 * UNSETTLED mark lifted (the caller holds the decision lock).
 */
static void
effect_undo(Effect *effect)
{
	if (effect->settled)
		return;
	effect->settled = true;
	if (effect->what == EFFECT_CHANGE)
		return;
	if (effect->what == EFFECT_UNSETTLED)
	{
		pg_atomic_sub_fetch_u32(&effect->load->unsettled, 1);
		unsettled_count--;
		return;
	}
	if (effect->what == EFFECT_ROTATE)
	{
		if (effect->rotation->started && effect->rotation->last_user_id == effect->user)
		{
			effect->rotation->started = effect->previous_started;
			effect->rotation->last_user_id = effect->previous_user;
		}
		return;
	}
	effect->load->open[effect->kind]--;
	if (effect->stamped && effect->load->last_assigned_at == effect->stamp)
		effect->load->last_assigned_at = effect->previous_stamp;
}

/*
 * One more open item of kind for load, now; with stamp, also its last
 * assignment time. The caller holds the decision lock. Returns a handle for
 * counters_cancel().
 */
int
counters_gain_locked(ItemKind kind, UserLoad *load, bool stamp, TimestampTz at)
{
	Effect		effect = {.what = EFFECT_GAIN,.kind = kind,.load = load};

	load->open[kind]++;
	if (stamp && at > load->last_assigned_at)
	{
		effect.stamped = true;
		effect.stamp = at;
		effect.previous_stamp = load->last_assigned_at;
		stamp_load(load, at);
	}
	return effect_push(&effect);
}

/* counters_gain_locked() for user_id, taking the lock itself. */
int
counters_gain(ItemKind kind, int64 user_id, bool stamp, TimestampTz at)
{
	UserLoad   *load = shared_user_load(user_id);
	int			effect;

	decision_lock();
	effect = counters_gain_locked(kind, load, stamp, at);
	decision_unlock();
	return effect;
}

/*
 * Marks load unsettled until this transaction ends, once per transaction:
 * decisions comparing it wait for us from now on.
 */
static void
mark_unsettled(UserLoad *load)
{
	Effect		effect = {.what = EFFECT_UNSETTLED,.load = load};
	LOCKTAG		tag;

	for (int i = 0; i < effect_count; i++)
		if (effects[i].what == EFFECT_UNSETTLED && effects[i].load == load && !effects[i].settled)
			return;
	user_lock_tag(&tag, load->user_id);
	(void) LockAcquire(&tag, RowExclusiveLock, false, false);
	pg_atomic_add_fetch_u32(&load->unsettled, 1);
	unsettled_count++;
	(void) effect_push(&effect);
}

/*
 * delta open items of kind for user_id when this transaction commits (with
 * stamp, user_id was assigned one at at); until then user_id is unsettled.
 */
void
counters_change_at_commit(ItemKind kind, int64 user_id, int delta, bool stamp, TimestampTz at)
{
	Effect		effect = {
		.what = EFFECT_CHANGE,.kind = kind,.load = shared_user_load(user_id),
		.delta = delta,.stamped = stamp,.stamp = at,
	};

	mark_unsettled(effect.load);
	(void) effect_push(&effect);
}

/*
 * Waits until no other transaction in flight is changing a candidate's
 * count at commit, so that the loads compared next are settled. A
 * transaction with such changes of its own does not wait (two of them could
 * wait for each other); it compares the loads as they stand.
 */
void
counters_wait_settled(const Candidate *candidates, int count)
{
	LOCKTAG		tag;

	if (unsettled_count > 0)
		return;
	for (int i = 0; i < count; i++)
	{
		if (pg_atomic_read_u32(&candidates[i].load->unsettled) == 0)
			continue;
		user_lock_tag(&tag, candidates[i].user_id);
		(void) LockAcquire(&tag, ShareLock, false, false);
		LockRelease(&tag, ShareLock, false);
	}
}

/* Moves rotation to user_id now (the caller holds the decision lock). */
int
counters_rotate_locked(Rotation *rotation, int64 user_id)
{
	Effect		effect = {
		.what = EFFECT_ROTATE,.rotation = rotation,.user = user_id,
		.previous_started = rotation->started,.previous_user = rotation->last_user_id,
	};

	rotation->started = true;
	rotation->last_user_id = user_id;
	return effect_push(&effect);
}

/* Is handle a count, still standing, on user_id's load? */
bool
counters_effect_is_for(int handle, int64 user_id)
{
	Assert(handle >= 0 && handle < effect_count);
	return effects[handle].what == EFFECT_GAIN && !effects[handle].settled &&
		effects[handle].load->user_id == user_id;
}

/* Takes back the effect of handle now: its item was never inserted. */
void
counters_cancel(int handle)
{
	Assert(handle >= 0 && handle < effect_count);
	decision_lock();
	effect_undo(&effects[handle]);
	decision_unlock();
}

/* The counts are to be loaded afresh from the tables once this transaction commits. */
void
counters_request_reload(void)
{
	if (reload_requested == InvalidSubTransactionId)
		reload_requested = GetCurrentSubTransactionId();
}

/*
 * Commit: the changes take effect and the users are settled (before our
 * locks go, which is when waiting decisions look); or, after a rebuild,
 * everything is loaded again.
 */
static void
counters_commit(void)
{
	DatabaseState *state = shared_state();

	LWLockAcquire(&state->lock, LW_EXCLUSIVE);
	for (int i = 0; i < effect_count; i++)
	{
		Effect	   *effect = &effects[i];

		if (effect->settled)
			continue;
		if (effect->what == EFFECT_CHANGE)
		{
			effect->load->open[effect->kind] += effect->delta;
			if (effect->stamped)
				stamp_load(effect->load, effect->stamp);
		}
		else if (effect->what == EFFECT_UNSETTLED)
			pg_atomic_sub_fetch_u32(&effect->load->unsettled, 1);
	}
	if (reload_requested != InvalidSubTransactionId)
		state->loaded = false;
	LWLockRelease(&state->lock);
}

/* Undoes the effects from index first on, newest first. */
static void
counters_undo_from(int first)
{
	DatabaseState *state = shared_state();

	LWLockAcquire(&state->lock, LW_EXCLUSIVE);
	for (int i = effect_count - 1; i >= first; i--)
		effect_undo(&effects[i]);
	LWLockRelease(&state->lock);
	effect_count = first;
}

/* Transaction end. */
static void
counters_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			if (effect_count > 0 || reload_requested != InvalidSubTransactionId)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that routed or counted hubroute items")));
			return;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (effect_count > 0 || reload_requested != InvalidSubTransactionId)
				counters_commit();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (effect_count > 0)
				counters_undo_from(0);
			break;
		case XACT_EVENT_PREPARE:
			break;
		default:
			return;
	}
	effects = NULL;				/* went with TopTransactionContext */
	effect_count = effect_space = unsettled_count = 0;
	reload_requested = InvalidSubTransactionId;
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
