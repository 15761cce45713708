/*
 * counters.c: open items per user and round-robin rotations, kept in shared
 * memory (shared_state.c) equal to the tables, with transaction semantics.
 *
 * A transaction's changes take effect in a way that keeps routing balanced
 * without anyone waiting:
 *  - an item gained (routed, assigned, reopened) counts at once, so that a
 *    concurrent decision sees it; an abort takes it back;
 *  - an item lost (closed, reassigned away, deleted) counts at commit, so an
 *    aborted close never made its owner look idle;
 *  - a round-robin rotation moves at once; an abort moves it back when no
 *    later decision moved it further.
 * Each change is an Effect in a list kept for the transaction; subtransaction
 * aborts undo their own suffix of it.
 *
 * The counts are loaded from the tables the first time a database routes
 * after the server starts (and after hubroute.rebuild_counters()): open
 * items per owner, the time of each user's last assignment and each
 * channel's last round-robin choice from hubroute.assignments. See
 * locking.c for why no routing transaction is in flight while that happens.
 */
#include "hubroute.h"

#include "access/xact.h"
#include "utils/memutils.h"

typedef enum EffectKind
{
	EFFECT_GAIN,				/* +1 now, undone by an abort */
	EFFECT_LOSS,				/* -1 at commit */
	EFFECT_ROTATE				/* rotation moved now, moved back by an abort */
} EffectKind;

typedef struct Effect
{
	EffectKind	what;
	bool		settled;		/* cancelled already: nothing left to do */
	ItemKind	kind;
	SubTransactionId subxact;
	UserLoad   *load;			/* GAIN, LOSS */
	bool		stamped;		/* GAIN moved last_assigned_at ... */
	TimestampTz stamp;			/* ... to this, from previous_stamp */
	TimestampTz previous_stamp;
	Rotation   *rotation;		/* ROTATE: to user, from previous_* */
	int64		user;
	bool		previous_started;
	int64		previous_user;
} Effect;

static Effect *effects = NULL;	/* in TopTransactionContext */
static int	effect_count = 0;
static int	effect_space = 0;
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

/* Takes back a GAIN or a ROTATE (the caller holds the state's lock). */
static void
effect_undo(Effect *effect)
{
	if (effect->settled || effect->what == EFFECT_LOSS)
		return;
	effect->settled = true;
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
		load->last_assigned_at = at;
	}
	return effect_push(&effect);
}

/* counters_gain_locked() for user_id, taking the lock itself. */
void
counters_gain(ItemKind kind, int64 user_id, bool stamp, TimestampTz at)
{
	UserLoad   *load = shared_user_load(user_id);

	decision_lock();
	(void) counters_gain_locked(kind, load, stamp, at);
	decision_unlock();
}

/* One open item of kind less for user_id, when the transaction commits. */
void
counters_lose(ItemKind kind, int64 user_id)
{
	Effect		effect = {.what = EFFECT_LOSS,.kind = kind,.load = shared_user_load(user_id)};

	(void) effect_push(&effect);
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

/* Commit: the losses take effect; or, after a rebuild, everything reloads. */
static void
counters_commit(void)
{
	DatabaseState *state = shared_state();

	LWLockAcquire(&state->lock, LW_EXCLUSIVE);
	if (reload_requested != InvalidSubTransactionId)
		state->loaded = false;
	else
		for (int i = 0; i < effect_count; i++)
			if (effects[i].what == EFFECT_LOSS)
				effects[i].load->open[effects[i].kind]--;
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
	effect_count = effect_space = 0;
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
