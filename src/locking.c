/*
 * locking.c: the routing lock, and the locking protocol it anchors.
 *
 * Why routing is exact under concurrency and never deadlocks with itself:
 *
 *  1. Every statement that can decide an owner or move a load counter takes
 *     the database's routing lock first, before it locks any row: INSERT
 *     into an item table, UPDATE OF its owner_id / team_id / status /
 *     channel_id, DELETE (statement-level triggers), route_ticket(),
 *     route_conversation() and rebuild_counters(). A reply reaches it
 *     through the UPDATE it issues. The lock is held to commit.
 *  2. So the transactions that route or count run one after the other, each
 *     reading (with a snapshot taken after the lock) the counts the previous
 *     one committed: the result is as if the items were routed one at a
 *     time, and open counts in a balanced or least-busy pool stay within 1.
 *  3. A transaction waits for the routing lock while holding no other
 *     hubroute lock (rule 1), and one holding it waits for no other routing
 *     transaction: there is nothing to form a cycle, so routing transactions
 *     cannot deadlock with each other, however many pools, rows and
 *     statements they touch. Within one routing transaction the statement
 *     then locks rows in the order item row, rotation row, counter rows in
 *     ascending user id; those never wait on another routing transaction.
 *  4. Balanced and least-busy decisions still lock their pool's counter rows
 *     FOR UPDATE: under REPEATABLE READ or SERIALIZABLE a counter changed
 *     since the transaction's snapshot then raises a serialization failure
 *     instead of routing on stale counts.
 *
 * The price is that routing in one database is serial up to commit: fine for
 * exactness, and the one thing a faster protocol must keep is rule 3.
 *
 * The lock is an advisory transaction lock, the same as
 * pg_advisory_xact_lock(1752523378, 1869903973) ('hubr', 'oute'), so a DBA
 * can see it in pg_locks; applications must not use that key.
 */
#include "hubroute.h"

#include "miscadmin.h"
#include "storage/lock.h"

#define ROUTING_LOCK_KEY1 1752523378	/* 'hubr' */
#define ROUTING_LOCK_KEY2 1869903973	/* 'oute' */

/* Takes this database's routing lock until the transaction ends. */
void
routing_lock(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, ROUTING_LOCK_KEY1, ROUTING_LOCK_KEY2, 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}
