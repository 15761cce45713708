/*
 * pool_index.c: the least loaded member of a big pool, in O(log n).
 *
 * A balanced or least-busy decision looks for the eligible pool member with
 * the least load, then the least recent assignment, then the lowest id. A
 * pass over the pool under the decision lock costs a nanosecond or so per
 * member: in a pool of 20,000 that is most of a decision, and every other
 * decision of the database waits for it. So each backend keeps, for each
 * pool it routes into, a binary heap of the pool's eligible members ordered
 * by that key (PoolIndex, kept with the cached configuration, cache.c).
 *
 * Loads change in every backend; every change to a slot (a decision, one
 * taken back, a change at commit) is noted, under the decision lock, in the
 * database's ring of changed users (shared_state.c, noted by counters.c).
 * Before deciding, still under the lock, a backend replays the users the
 * ring noted since its last decision in this pool, moving each to its place
 * in the heap: a few per decision, however big the pool. When it has missed
 * more than the ring holds, when the pool's eligible members change, or when
 * the slots are replaced (a load of the counts), the heap is built again
 * from the slots, in one pass.
 *
 * Not used (the caller passes over the pool instead) for items that require
 * skills, whose candidates are a subset of the pool, and in a transaction
 * with changes at commit of its own, which its decisions see but other
 * backends' heaps do not.
 */
#include "hubroute.h"

#include "miscadmin.h"

/* One member's key, as last read from its slot. */
typedef struct PoolKey
{
	int32		load;
	TimestampTz at;
	int64		user_id;
} PoolKey;

struct PoolIndex
{
	bool		all_kinds;		/* least busy: both kinds; balanced: kind */
	ItemKind	kind;
	uint64		seen;			/* the last change of the ring replayed */
	uint64		generation;		/* of the slots the keys were read from */
	int			count;
	int			capacity;
	const Candidate *candidates;	/* the pool's eligible members, by user id */
	PoolKey    *keys;			/* by candidate */
	int		   *heap;			/* candidate indexes, least key first */
	int		   *position;		/* by candidate: its place in heap */
};

/* Does key a come before key b? */
static inline bool
key_before(const PoolKey *a, const PoolKey *b)
{
	if (a->load != b->load)
		return a->load < b->load;
	if (a->at != b->at)
		return a->at < b->at;
	return a->user_id < b->user_id;
}

/* Reads candidate c's key from its slot. */
static void
read_key(PoolIndex *index, int c)
{
	const UserLoad *slot = index->candidates[c].load;

	index->keys[c].load = index->all_kinds
		? slot->open[ITEM_TICKET] + slot->open[ITEM_CONVERSATION] : slot->open[index->kind];
	index->keys[c].at = slot->last_assigned_at;
	index->keys[c].user_id = index->candidates[c].user_id;
}

/* Swaps heap places i and j. */
static void
heap_swap(PoolIndex *index, int i, int j)
{
	int			a = index->heap[i];

	index->heap[i] = index->heap[j];
	index->heap[j] = a;
	index->position[index->heap[i]] = i;
	index->position[index->heap[j]] = j;
}

/* Moves the member at heap place i down below every member with a lesser key. */
static void
heap_sift_down(PoolIndex *index, int i)
{
	for (;;)
	{
		int			least = i;
		int			left = 2 * i + 1;

		if (left < index->count && key_before(&index->keys[index->heap[left]], &index->keys[index->heap[least]]))
			least = left;
		if (left + 1 < index->count &&
			key_before(&index->keys[index->heap[left + 1]], &index->keys[index->heap[least]]))
			least = left + 1;
		if (least == i)
			return;
		heap_swap(index, i, least);
		i = least;
	}
}

/*
 * Moves the member at heap place i, whose key changed in a heap otherwise
 * in order, up or down to where its key belongs.
 */
static void
heap_fix(PoolIndex *index, int i)
{
	while (i > 0 && key_before(&index->keys[index->heap[i]], &index->keys[index->heap[(i - 1) / 2]]))
	{
		heap_swap(index, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	heap_sift_down(index, i);
}

/* Builds the heap from the slots, in one pass and a heapify (decision lock held). */
static void
index_build(PoolIndex *index)
{
	CHECK_FOR_INTERRUPTS();
	for (int c = 0; c < index->count; c++)
	{
		read_key(index, c);
		index->heap[c] = c;
		index->position[c] = c;
	}
	/* bottom up: each place's subtrees are heaps when it is sifted down */
	for (int i = index->count / 2 - 1; i >= 0; i--)
		heap_sift_down(index, i);
	index->seen = shared_changes_seen();
	index->generation = shared_generation();
}

/* The index of candidate user_id, or -1 when it is not in the pool. */
static int
candidate_of(const PoolIndex *index, int64 user_id)
{
	int			low = 0,
				high = index->count - 1;

	while (low <= high)
	{
		int			middle = low + (high - low) / 2;
		int64		id = index->candidates[middle].user_id;

		if (id == user_id)
			return middle;
		if (id < user_id)
			low = middle + 1;
		else
			high = middle - 1;
	}
	return -1;
}

/* A new index over count eligible candidates (kept with the cache). */
PoolIndex *
pool_index_create(const Candidate *candidates, int count, ItemKind kind, bool all_kinds)
{
	PoolIndex  *index = cache_alloc(sizeof(PoolIndex));

	index->all_kinds = all_kinds;
	index->kind = kind;
	index->count = count;
	index->capacity = count;
	index->candidates = candidates;
	index->keys = cache_alloc(sizeof(PoolKey) * Max(count, 1));
	index->heap = cache_alloc(sizeof(int) * Max(count, 1));
	index->position = cache_alloc(sizeof(int) * Max(count, 1));
	index->generation = 0;		/* built on first use */
	return index;
}

/* The pool's eligible members changed: the heap is built again on next use. */
void
pool_index_reset(PoolIndex *index, const Candidate *candidates, int count)
{
	Assert(count <= index->capacity);
	index->candidates = candidates;
	index->count = count;
	index->generation = 0;
}

/*
 * The candidate with the least key, after replaying the ring's changes (the
 * caller holds the decision lock); *least is its load.
 */
int
pool_index_least(PoolIndex *index, int32 *least)
{
	uint64		first;
	uint64		last = shared_changes_seen();

	if (index->generation != shared_generation() ||
		!shared_changes_since(index->seen, &first))
		index_build(index);
	else
	{
		for (uint64 seq = first; seq <= last; seq++)
		{
			int			c = candidate_of(index, shared_change(seq));

			if (c < 0)
				continue;
			read_key(index, c);
			heap_fix(index, index->position[c]);
		}
		index->seen = last;
	}
	*least = index->keys[index->heap[0]].load;
	return index->heap[0];
}
