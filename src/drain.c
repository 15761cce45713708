/*
 * drain.c: the waiting queue (SPEC §6).
 *
 * An item waits in its channel's queue when the channel has queue = true
 * and the item is open, unassigned and handled by humans: its rule could
 * not place it. A drain hands the waiting items, in the order the queue is
 * served (highest priority, then oldest, then lowest id), to the users who
 * can take them now, by the channel's rule and distribution, within the
 * transaction of the change that made room:
 *  - closing, deleting or reassigning away an item of a user with a
 *    capacity drains the queues whose pool holds the user (item_triggers.c);
 *  - a change to the configuration drains every queue at the end of its
 *    statement (config_changes.c), a user who became available the queues
 *    whose pool holds the user;
 *  - hubroute.drain(channel_id) drains one, as the caller.
 * Changes drain as hubroute_logger (internal_sql.c): the user who closed an
 * item, or the DBA who edited a rule, may not change owners.
 *
 * The protocol (next to locking.c's):
 *  1. A waiting item is read without a lock and decided first: an ordinary
 *     routing decision (route.c), under the decision lock, with capacity as
 *     an eligibility filter (capacity.c), counted at once. A user has room
 *     when its open items, as the transaction sees them, are below its
 *     capacity: other transactions' decisions count at once, their closes
 *     only when committed, so room is never given twice.
 *  2. Only a decision that found someone locks the item, FOR UPDATE SKIP
 *     LOCKED, and it must still be as read: no item is handed out twice, a
 *     drain never waits for a row, and no lock is taken in vain (a lock is
 *     held to commit, and would hide the item from other drains). An item
 *     another transaction holds, or that changed, gives its decision back
 *     and is left for the next drain.
 *  3. Room that only this transaction made (by closing an item it has not
 *     committed yet) is used with its count at commit (counters.c), so
 *     that two transactions that each close one of a full user's items
 *     each hand over one waiting item: neither sees the user fuller than
 *     it will be.
 *  4. Items are tried in the order they are served. One nobody can take is
 *     passed over only because nobody who could take it has room; then the
 *     later items go only to users who could not have taken it. When the
 *     pool as a whole has no room (an item without required skills found
 *     nobody), the drain stops.
 *  5. A drain for a change stops after MAX_PASSED_OVER items in a row that
 *     nobody could take (contact-owner queues, skills), so that a change's
 *     statement stays short; hubroute.drain() goes through the queue.
 *  6. A drain for a change runs in a subtransaction: should it fail (a
 *     serialization failure under REPEATABLE READ, a deadlock, an error of
 *     code attached to the item tables), its work is undone, a WARNING
 *     says so, and the statement that made room goes on; the items wait
 *     for the next drain. A cancel or a shutdown still ends the statement.
 *     hubroute.drain() reports its errors to its caller.
 * A queue found empty is not looked at again until a transaction that
 * made an item wait in a queue commits (shared_queue_entries()), an item
 * comes to wait in this backend, or a transaction of this backend that
 * found it so aborts (its own assignments of waiting items are undone): a
 * close with an empty queue costs no query. Empty means no waiting item,
 * locked or not, is visible to hubroute_internal. A transaction that made
 * an item wait in a queue cannot be prepared for two-phase commit (its
 * commit could come from another backend, unseen).
 */
#include "hubroute.h"

#include "access/xact.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

PG_FUNCTION_INFO_V1(hubroute_drain);

/* A drain for a change passes over at most this many items in a row. */
#define MAX_PASSED_OVER 64

static bool waiting_noted = false;	/* this transaction made an item wait in a queue */
static bool waiting_elsewhere = false;	/* ... or where the copy knew of no queue */
static bool empty_noted = false;	/* this transaction found a queue empty */
static uint64 local_resets = 0;		/* local events that make queues worth a look */

/* Is the item waiting-shaped: open, unassigned, handled by humans? */
bool
item_waits(const ItemRow *row)
{
	return row->open && !row->has_owner && !row->customer_agent;
}

/*
 * An item of channel_id came to wait: this backend looks at its queues
 * again now, every backend once this transaction commits, if the channel
 * has a queue (or the copy cannot tell now: then at commit, if the copy has
 * changed since).
 */
void
drain_note_waiting_item(int64 channel_id)
{
	ChannelInfo *channel;

	local_resets++;
	if (!cache_still_current())
		waiting_noted = true;
	else if ((channel = cache_channel(channel_id)) == NULL || channel->queue)
		waiting_noted = true;
	else
		waiting_elsewhere = true;
}

/* What a queue found empty is checked against (see the header). */
static uint64
queue_entries(void)
{
	return shared_queue_entries() + local_resets;
}

/* The kind of item a channel's queue holds. */
static ItemKind
channel_item_kind(const ChannelInfo *channel)
{
	return channel->rule.inbox ? ITEM_CONVERSATION : ITEM_TICKET;
}

/*
 * May anyone in the channel's pool take item (NULL: skills aside) now? Only
 * a users_and_teams rule can tell before deciding; for it, an item is
 * locked only when someone has room.
 */
static bool
pool_has_room(ChannelInfo *channel, const ItemRow *item)
{
	CandidateQuery query;
	const Candidate *candidates;
	int			count;
	bool		room;

	if (channel->rule.assign_to != ASSIGN_USERS_AND_TEAMS)
		return true;
	candidate_query_init(&query, channel, &channel->targets, item, channel->rule.only_available);
	candidates = candidates_select(&query, &count);
	decision_lock_shared();
	room = capacity_any_room(candidates, count, channel_item_kind(channel));
	decision_unlock();
	return room;
}

/* Does a failed decision for row mean nobody in the channel's pool has room? */
static bool
pool_is_full(const ChannelInfo *channel, const ItemRow *row)
{
	return channel->rule.assign_to == ASSIGN_USERS_AND_TEAMS &&
		(!channel->rule.use_skills || row->skill_count == 0);
}

/*
 * Is channel_id's queue worth a look: a queue of a rule that places items,
 * not known to be empty, with someone in its pool who has room? No SQL.
 */
static bool
queue_worth_a_look(int64 channel_id)
{
	ChannelInfo *channel;

	cache_refresh();
	channel = cache_channel(channel_id);
	return channel != NULL && channel->queue &&
		channel->rule.assign_to != ASSIGN_NOBODY && channel->rule.assign_to != ASSIGN_CUSTOMER_AGENT &&
		channel->queue_empty_as_of != queue_entries() + 1 && pool_has_room(channel, NULL);
}

/*
 * Drains channel_id's queue (see the header); passes over at most
 * max_passed_over items in a row (-1: no limit). Returns how many items
 * it assigned.
 */
static int
drain_queue(int64 channel_id, bool as_hubroute, int max_passed_over)
{
	QueueCursor cursor = {.priority = PG_INT16_MAX + 1};
	ChannelInfo *channel;
	ItemKind	kind;
	uint64		entries;
	int			assigned = 0;
	int			passed_over = 0;
	bool		found_any = false;

	/* Read before looking: an item that comes to wait meanwhile moves it. */
	entries = queue_entries();
	if (!queue_worth_a_look(channel_id))
		return 0;
	channel = cache_channel(channel_id);
	kind = channel_item_kind(channel);
	for (;;)
	{
		ItemRow		row;
		QueueOutcome outcome = QUEUE_NOBODY;

		CHECK_FOR_INTERRUPTS();
		if (!assign_next_waiting(kind, channel_id, &cursor, as_hubroute, &row))
			break;
		found_any = true;
		/* The copy may have been built again meanwhile. */
		channel = cache_channel(channel_id);
		if (channel == NULL)
			return assigned;
		if (pool_has_room(channel, &row))
			outcome = assign_from_queue(kind, &row, as_hubroute);
		if (outcome == QUEUE_ASSIGNED)
		{
			assigned++;
			passed_over = 0;
			continue;
		}
		if (outcome == QUEUE_BUSY)
			continue;			/* another transaction holds it: the next drain's */
		channel = cache_channel(channel_id);
		if (channel == NULL || pool_is_full(channel, &row) ||
			(max_passed_over >= 0 && ++passed_over >= max_passed_over))
			return assigned;
	}
	channel = cache_channel(channel_id);
	if (channel != NULL && !found_any && !assign_queue_has_items(kind, channel_id))
	{
		channel->queue_empty_as_of = entries + 1;
		empty_noted = true;
	}
	return assigned;
}

/*
 * The ids of the queue channels whose items user_id may be routed (its
 * pool holds the user, or the rule goes by contact owner), of kind, or of
 * every kind when all_kinds; NIL when there are none. The copy is current.
 */
static List *
queues_for_user(int64 user_id, ItemKind kind, bool all_kinds)
{
	List	   *ids = NIL;
	ListCell   *cell;

	foreach(cell, cache_queue_channels())
	{
		ChannelInfo *channel = lfirst(cell);

		if (!all_kinds && channel_item_kind(channel) != kind)
			continue;
		if (channel->rule.assign_to == ASSIGN_CONTACT_OWNER ||
			(channel->rule.assign_to == ASSIGN_USERS_AND_TEAMS &&
			 pool_has_member(&channel->targets, user_id)))
			ids = lappend(ids, channel);
	}
	/* Ids, not pointers: a drain may build the copy again. */
	foreach(cell, ids)
		lfirst(cell) = (void *) &((ChannelInfo *) lfirst(cell))->channel_id;
	return ids;
}

/* May a drain for a change absorb this error (see rule 6)? */
static bool
drain_may_absorb(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_OPERATOR_INTERVENTION: /* cancel, shutdown */
		case ERRCODE_INSUFFICIENT_RESOURCES:
		case ERRCODE_PROGRAM_LIMIT_EXCEEDED:
		case ERRCODE_SYSTEM_ERROR:
		case ERRCODE_INTERNAL_ERROR:
			return false;
		default:
			return true;
	}
}

/*
 * Drains channel_id's queue for a change, as hubroute_logger, in a
 * subtransaction whose failure is undone and reported as a WARNING (rule 6).
 */
static void
drain_queue_for_change(int64 channel_id)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	if (!queue_worth_a_look(channel_id))
		return;					/* the usual case: no subtransaction */
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(caller);
	PG_TRY();
	{
		(void) drain_queue(channel_id, true, MAX_PASSED_OVER);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *error;

		MemoryContextSwitchTo(caller);
		error = CopyErrorData();
		if (!drain_may_absorb(error->sqlerrcode))
			PG_RE_THROW();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(caller);
		CurrentResourceOwner = owner;
		ereport(WARNING,
				(errcode(error->sqlerrcode),
				 errmsg("hubroute could not drain the queue of channel %lld: %s", (long long) channel_id,
						error->message),
				 errdetail("Its items wait for the next drain; the statement that made room goes on.")));
		FreeErrorData(error);
	}
	PG_END_TRY();
}

/* Drains the queues of the channels of ids (int64 pointers, copied first). */
static void
drain_queues(List *ids)
{
	int			count = list_length(ids);
	int64	   *channel_ids;
	int			i = 0;
	ListCell   *cell;

	if (ids == NIL)
		return;
	channel_ids = palloc(sizeof(int64) * count);
	foreach(cell, ids)
		channel_ids[i++] = *(int64 *) lfirst(cell);
	list_free(ids);
	for (i = 0; i < count; i++)
		drain_queue_for_change(channel_ids[i]);
	pfree(channel_ids);
}

/*
 * user_id has room for one more item of kind: an item of its was closed,
 * deleted or reassigned away. Drains the queues it may take from, when it
 * has a capacity (without one it had room already).
 */
void
drain_for_user(ItemKind kind, int64 user_id)
{
	UserInfo   *user;

	cache_refresh();
	if (cache_queue_channels() == NIL)
		return;
	user = cache_user(user_id);
	if (user == NULL || user->capacity[kind] < 0)
		return;
	drain_queues(queues_for_user(user_id, kind, false));
}

/* user_id became available: drains the queues it may take from. */
void
drain_for_available_user(int64 user_id)
{
	cache_refresh();
	if (cache_queue_channels() == NIL)
		return;
	drain_queues(queues_for_user(user_id, ITEM_TICKET, true));
}

/* The configuration changed: drains every queue. */
void
drain_all_queues(void)
{
	List	   *ids = NIL;
	ListCell   *cell;

	cache_refresh();
	foreach(cell, cache_queue_channels())
		ids = lappend(ids, &((ChannelInfo *) lfirst(cell))->channel_id);
	drain_queues(ids);
}

/*
 * hubroute.drain(channel_id bigint) returns integer: hands the channel's
 * waiting items to the users who can take them now, as the caller (its own
 * rights and row-level security, like route_ticket()); returns how many.
 */
Datum
hubroute_drain(PG_FUNCTION_ARGS)
{
	int64		channel_id = PG_GETARG_INT64(0);

	counters_ready();
	lock_reference(REFERENCE_CHANNEL, channel_id);
	cache_refresh();
	if (cache_channel(channel_id) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("channel %lld does not exist", (long long) channel_id)));
	PG_RETURN_INT32(drain_queue(channel_id, false, -1));
}

/*
 * Commit: the items this transaction made wait are there for everyone now.
 * Abort: queues it found empty may not be (it may have assigned their items).
 */
static void
drain_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			/* A channel may have been given a queue since the copy said no. */
			if (waiting_elsewhere && !cache_still_current())
				waiting_noted = true;
			if (waiting_noted && event == XACT_EVENT_PRE_PREPARE)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("cannot PREPARE a transaction that made hubroute items wait in a queue"),
						 errdetail("Other sessions learn of waiting items when the transaction that made them"
								   " wait commits in the session that made it."),
						 errhint("Commit such changes in an ordinary transaction.")));
			if (waiting_noted)
				(void) shared_state_lock(); /* attached now: COMMIT must not fail */
			return;
		case XACT_EVENT_COMMIT:
			if (waiting_noted)
				shared_note_queue_entry();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			if (empty_noted)
				local_resets++;
			break;
		default:
			return;
	}
	waiting_noted = waiting_elsewhere = empty_noted = false;
}

/* Subtransaction abort: queues found empty in it may not be. */
static void
drain_subxact_callback(SubXactEvent event, SubTransactionId subxact pg_attribute_unused(),
					   SubTransactionId parent pg_attribute_unused(), void *arg pg_attribute_unused())
{
	if (event == SUBXACT_EVENT_ABORT_SUB && empty_noted)
		local_resets++;
}

/* Called once from _PG_init. */
void
drain_register_callbacks(void)
{
	RegisterXactCallback(drain_xact_callback, NULL);
	RegisterSubXactCallback(drain_subxact_callback, NULL);
}
