/*
 * locking.c: every lock hubroute takes, and the protocol they make up.
 *
 * Why routing is exact under concurrency, as fast as the inserts around it,
 * keeps references whole without foreign keys, and adds no edge to a lock
 * cycle that the application's own statements would not have:
 *
 *  1. The decision lock. A routing decision compares loads and counts its
 *     choice in one short critical section under the database's decision
 *     lock (an LWLock in shared memory, held for microseconds, never across
 *     I/O, SQL or another lock). The loads it compares include every
 *     decision of transactions still in flight (counters.c), so concurrent
 *     inserts into one pool see each other: the result is as if they were
 *     routed one at a time, and once they commit the open counts of a
 *     balanced or least-busy pool differ by at most 1. The same lock
 *     orders the changes of availability published at commit
 *     (config_changes.c), which a backend replays under it, shared.
 *  2. Changes at commit. A change to an existing item (close, reopen,
 *     reassign, delete, reply) counts at commit. Nobody waits for it: other
 *     transactions' decisions route on the counts as they stand until it
 *     commits (SPEC §2 promises the spread of 1 only while no items close),
 *     and the changing transaction's own decisions see it at once. A
 *     decision that waited for such a change could close a cycle with a row
 *     lock the application holds (it once did: issue 8).
 *  3. References. Item tables have no foreign keys (integrity.c). An item
 *     written with a channel, contact, owner or team holds, to commit, a
 *     share lock on that key (lock_reference()); removing the row (DELETE,
 *     or UPDATE of its id) first takes the exclusive lock on its key
 *     (lock_reference_removal()) and then looks for items that refer to it
 *     with the latest snapshot. Whichever comes second waits for the other,
 *     exactly where a foreign key's KEY SHARE lock would make it wait, but
 *     nothing is written to the referenced row (no multixacts on a hot
 *     channel's row), and inserts never wait for each other. An inserter
 *     re-reads the key after its lock is granted, so a removal that committed
 *     meanwhile is seen. TRUNCATE of a referenced table takes a SHARE lock
 *     on both item tables instead (lock_item_tables()).
 *  4. Loading the counts. The counts are loaded from the tables only while
 *     no transaction writing items is in flight: at first use after the
 *     server starts (none can have counted anything yet; concurrent first
 *     users queue on lock_counts_load()), and after
 *     hubroute.rebuild_counters() or a change to the log by anyone but
 *     hubroute, which hold lock_item_tables() until their commit marks the
 *     counts stale. The load reads what is committed, blind to the loading
 *     transaction's own changes. A first user waits for another's load
 *     however long lock_timeout is: routing never fails an insert for
 *     routing reasons.
 *  5. No lock here can be taken or held from SQL: the heavyweight ones are
 *     in the advisory lock space with a fourth key field that
 *     pg_advisory_lock() and its kin never use (they use 1 and 2), so no
 *     role can stall routing by taking them first. They show in pg_locks as
 *     advisory locks with objsubid 4 (loading the counts) and 5 to 8
 *     (references to a channel, user, team or contact).
 *  6. Reading and writing hubroute's tables from C takes the lock a
 *     statement would (open_to_read(), open_to_insert(),
 *     open_index_to_read()), held to commit as a statement holds it.
 *  7. Shared memory is set up once per server under PostgreSQL's
 *     AddinShmemInitLock (lock_shared_memory_setup()); a backend attaches to
 *     its database's current slot tables under the decision lock, shared.
 *
 *  8. Queues (drain.c states the whole protocol). A drain locks a waiting
 *     item as SELECT ... FOR UPDATE SKIP LOCKED would, to commit, and never
 *     waits for one: an item another transaction holds is left to the next
 *     drain. It locks one only when someone in the item's pool has room
 *     (read under the decision lock, shared), so that no lock is held in
 *     vain. Room is read from the counts of rule 1 with rule 2's closes, so
 *     room another transaction has not committed is never used; room only
 *     the drain's own transaction made is used with the count at commit.
 *     The change that made room is the application's own statement: a drain
 *     adds no wait to it, and a change to the configuration drains at the
 *     end of its statement, after its row triggers.
 *
 * So a routing statement waits only where the application's own statements
 * would: for a row lock route_ticket() takes as an UPDATE would, for a
 * referenced row being deleted as a foreign key would, and behind a
 * rebuild as behind LOCK TABLE. Every such wait is on a heavyweight lock the
 * deadlock detector sees.
 *
 * An aborted insert gives back its count, which may leave its user one
 * below the others until the next insert into the pool fills the gap: the
 * price of inserts never waiting for each other.
 */
#include "hubroute.h"

#include "access/genam.h"
#include "access/table.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/guc.h"

/* The fourth key field of each kind of lock (see rule 5). */
#define LOCK_FIELD_COUNTS_LOAD	4
#define LOCK_FIELD_REFERENCE	5	/* + ReferenceKind */

/* Takes this database's decision lock: decisions and counts, one at a time. */
void
decision_lock(void)
{
	LWLockAcquire(shared_state_lock(), LW_EXCLUSIVE);
}

/* Takes the decision lock to read the counts only. */
void
decision_lock_shared(void)
{
	LWLockAcquire(shared_state_lock(), LW_SHARED);
}

/* Releases the decision lock. */
void
decision_unlock(void)
{
	LWLockRelease(shared_state_lock());
}

/* A lock tag on a 64-bit key in this database. */
static void
key_tag(LOCKTAG *tag, int64 key, uint16 field)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) ((uint64) key >> 32), (uint32) key, field);
}

/* Takes a lock held to the end of the transaction. */
static void
lock_key(int64 key, uint16 field, LOCKMODE mode)
{
	LOCKTAG		tag;

	key_tag(&tag, key, field);
	(void) LockAcquire(&tag, mode, false, false);
}

/* Rule 3: an item being written refers to id. */
void
lock_reference(ReferenceKind kind, int64 id)
{
	lock_key(id, LOCK_FIELD_REFERENCE + kind, ShareLock);
}

/* Rule 3: the row with id is being removed. */
void
lock_reference_removal(ReferenceKind kind, int64 id)
{
	lock_key(id, LOCK_FIELD_REFERENCE + kind, ExclusiveLock);
}

/* Rules 3 and 4: waits for every writer of items, and holds new ones off to commit. */
void
lock_item_tables(void)
{
	LockRelationOid(hubroute_relid(TABLE_TICKETS), ShareLock);
	LockRelationOid(hubroute_relid(TABLE_CONVERSATIONS), ShareLock);
}

/*
 * Rule 4: one backend at a time loads this database's counts (a session
 * lock). Waiting for another backend's load is not cut short by
 * lock_timeout: routing never fails an insert for routing reasons
 * (statement_timeout and a cancel still end the wait).
 */
void
lock_counts_load(void)
{
	LOCKTAG		tag;
	int			nest = NewGUCNestLevel();

	(void) set_config_option("lock_timeout", "0", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	key_tag(&tag, 0, LOCK_FIELD_COUNTS_LOAD);
	(void) LockAcquire(&tag, ExclusiveLock, true, false);
	AtEOXact_GUC(true, nest);
}

/* Rule 4: the counts are loaded. */
void
unlock_counts_load(void)
{
	LOCKTAG		tag;

	key_tag(&tag, 0, LOCK_FIELD_COUNTS_LOAD);
	LockRelease(&tag, ExclusiveLock, true);
}

/* Rule 6: opens one of hubroute's tables to read it, as a SELECT would. */
Relation
open_to_read(Oid relid)
{
	return table_open(relid, AccessShareLock);
}

/* Rule 6: opens an index to read it, as a SELECT would. */
Relation
open_index_to_read(Oid indexid)
{
	return index_open(indexid, AccessShareLock);
}

/* Rule 6: opens one of hubroute's tables to insert into it, as an INSERT would. */
Relation
open_to_insert(Oid relid)
{
	return table_open(relid, RowExclusiveLock);
}

/* Rule 7: one backend at a time sets up or attaches hubroute's shared memory. */
void
lock_shared_memory_setup(void)
{
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
}

/* Rule 7: shared memory is set up. */
void
unlock_shared_memory_setup(void)
{
	LWLockRelease(AddinShmemInitLock);
}
