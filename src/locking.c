/*
 * locking.c: the decision lock, and the locking protocol it is part of.
 *
 * Why routing is exact under concurrency, as fast as the inserts around it,
 * and never deadlocks with itself:
 *
 *  1. A routing decision compares loads and counts its choice in one short
 *     critical section under the database's decision lock (an LWLock in
 *     shared memory, held for microseconds, never across I/O or SQL). The
 *     load it compares includes every decision of transactions still in
 *     flight (counters.c), so concurrent inserts into one pool see each
 *     other: the result is as if they were routed one at a time, and once
 *     they commit the open counts of a balanced or least-busy pool differ
 *     by at most 1.
 *  2. Routing takes no row lock and no heavyweight lock beyond the ones the
 *     INSERT itself takes on its own new row: item tables have no foreign
 *     keys (integrity.c), counts are not rows. A routing transaction never
 *     waits for another one, so there is nothing to form a cycle.
 *  3. What changes an item that exists (UPDATE of owner or status, a reply,
 *     route_ticket(), DELETE) locks only that item's row, as any UPDATE
 *     does; losses count at commit, gains at once, so the loads never
 *     understate anyone's work.
 *  4. The counts are loaded from the tables only while no transaction
 *     writing items is in flight: at first use after the server starts
 *     (none can have counted anything yet; concurrent first users queue on
 *     an advisory lock), and after hubroute.rebuild_counters(), which holds
 *     a SHARE lock on both item tables until its commit marks the counts
 *     stale. Removing a row items refer to takes the same SHARE locks.
 *
 * An aborted insert gives back its count, which may leave its user one
 * below the others until the next insert into the pool fills the gap: the
 * price of never waiting for another transaction to finish.
 */
#include "hubroute.h"

/* Takes this database's decision lock: decisions and counts, one at a time. */
void
decision_lock(void)
{
	LWLockAcquire(&shared_state()->lock, LW_EXCLUSIVE);
}

/* Releases the decision lock. */
void
decision_unlock(void)
{
	LWLockRelease(&shared_state()->lock);
}
