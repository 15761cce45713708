/*
 * locking.c: the decision lock, and the locking protocol it is part of.
 *
 * Why routing is exact under concurrency, as fast as the inserts around it,
 * and never deadlocks with itself:
 *
 *  1. A routing decision compares loads and counts its choice in one short
 *     critical section under the database's decision lock (an LWLock in
 *     shared memory, held for microseconds, never across I/O or SQL). The
 *     loads it compares include every decision of transactions still in
 *     flight (counters.c), so concurrent inserts into one pool see each
 *     other: the result is as if they were routed one at a time, and once
 *     they commit the open counts of a balanced or least-busy pool differ
 *     by at most 1.
 *  2. Routing takes no row lock beyond the INSERT's own new row: item tables
 *     have no foreign keys (integrity.c), counts are not rows. Inserts never
 *     wait for each other, so routing transactions cannot deadlock.
 *  3. A change to an existing item (close, reopen, reassign, delete, reply)
 *     counts at commit and holds a lock on each user whose count it changes
 *     (advisory space 3, RowExclusiveLock, to commit). A balanced or
 *     least-busy decision first waits, with a ShareLock taken and dropped at
 *     once, for those of its candidates, so it routes as if after the
 *     change, committed or not. A transaction holding such user locks
 *     itself never waits for others', so two changing transactions cannot
 *     wait for each other this way; any wait is one the deadlock detector
 *     sees.
 *  4. The counts are loaded from the tables only while no transaction
 *     writing items is in flight: at first use after the server starts
 *     (none can have counted anything yet; concurrent first users queue on
 *     an advisory lock), and after hubroute.rebuild_counters(), which holds
 *     a SHARE lock on both item tables until its commit marks the counts
 *     stale. Removing a row items refer to takes the same SHARE locks.
 *
 * An aborted insert gives back its count, which may leave its user one
 * below the others until the next insert into the pool fills the gap: the
 * price of inserts never waiting for each other.
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
