/*
 * capacity.c: a user at capacity is not eligible (SPEC §6).
 *
 * users.ticket_capacity and conversation_capacity are the most open tickets
 * and conversations routing gives a user. Whether a user has room is read
 * from the counts routing keeps (counters.c), under the decision lock, in
 * the same critical section as the decision that fills it: concurrent
 * decisions see each other, so no user passes its capacity through
 * routing. The counts a transaction sees are pessimistic: they include
 * every decision in flight, and another transaction's close only once it
 * commits. Manual assignment may exceed a capacity (a person decided).
 */
#include "hubroute.h"

/* The open items of kind that candidate has, as this transaction sees them. */
static int32
open_items(const Candidate *candidate, ItemKind kind)
{
	int32		open[2];
	TimestampTz last;

	if (!counters_have_own_changes())
		return candidate->load->open[kind];
	counters_read(candidate->load, open, &last);
	return open[kind];
}

/* Has candidate room for one more item of kind? (The caller holds the decision lock.) */
bool
capacity_has_room(const Candidate *candidate, ItemKind kind)
{
	return candidate->capacity[kind] < 0 || open_items(candidate, kind) < candidate->capacity[kind];
}

/*
 * Has candidate room for one more item of kind that every transaction sees,
 * not only room this one made by closing items it has not committed yet?
 * (The caller holds the decision lock.)
 */
bool
capacity_has_shared_room(const Candidate *candidate, ItemKind kind)
{
	return candidate->capacity[kind] < 0 || candidate->load->open[kind] < candidate->capacity[kind];
}

/*
 * Copies to room the candidates with room for one more item of kind, in
 * their order; returns how many (the caller holds the decision lock).
 */
int
capacity_keep_room(const Candidate *candidates, int count, ItemKind kind, Candidate *room)
{
	int			kept = 0;

	for (int i = 0; i < count; i++)
		if (capacity_has_room(&candidates[i], kind))
			room[kept++] = candidates[i];
	return kept;
}

/* Has any of the candidates room for one more item of kind? (The caller holds the decision lock.) */
bool
capacity_any_room(const Candidate *candidates, int count, ItemKind kind)
{
	for (int i = 0; i < count; i++)
		if (capacity_has_room(&candidates[i], kind))
			return true;
	return false;
}

/* Why nobody of count eligible users can have the item. */
char *
capacity_explain_full(int count)
{
	return count == 1 ? pstrdup("the one eligible user is at capacity")
		: psprintf("all %d eligible users are at capacity", count);
}

/*
 * Counts the decision giving the request's item to candidate, who has room,
 * at *at (moved past the candidate's last assignment; the caller holds the
 * decision lock). A drain's decision that uses room
 * only this transaction made counts at commit; then *at_commit is set, and
 * the caller calls counters_note_own_gain() once it released the lock.
 */
int
capacity_count_choice(const RoutingRequest *request, const Candidate *candidate, TimestampTz *at,
					  Rotation *rotation, bool *at_commit)
{
	counters_decision_time_locked(candidate->load, at);
	*at_commit = request->from_queue && !capacity_has_shared_room(candidate, request->kind);
	if (*at_commit)
		return counters_gain_at_commit_locked(request->kind, candidate->load, *at, rotation);
	return counters_gain_locked(request->kind, candidate->load, 1, *at, rotation);
}

/*
 * Gives the request's item to user when it has room, counted as
 * capacity_count_choice() says, and fills the decision's owner; returns the
 * counters.c handle, or sets *full.
 */
int
capacity_give_to(const RoutingRequest *request, UserInfo *user, RoutingDecision *decision, bool *full)
{
	Candidate	candidate = {.user_id = user->user_id,.load = cache_user_load(user),
	.capacity = user->capacity};
	bool		at_commit = false;
	int			effect = -1;

	decision_lock();
	*full = !capacity_has_room(&candidate, request->kind);
	if (!*full)
		effect = capacity_count_choice(request, &candidate, &decision->at, NULL, &at_commit);
	decision_unlock();
	if (at_commit)
		counters_note_own_gain(effect);
	if (*full)
		return -1;
	decision->assigned = true;
	decision->user_id = user->user_id;
	return effect;
}
