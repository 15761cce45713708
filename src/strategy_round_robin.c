/*
 * strategy_round_robin.c: per channel, each pool member gets one item before
 * anyone gets a second.
 *
 * The rotation walks the pool in user id order and remembers only the last
 * user served (hubroute.channel_rotation), so members joining or leaving
 * never reset it: the next item goes to the eligible member with the next
 * higher id, wrapping around. The rotation row is locked FOR UPDATE, which
 * makes concurrent inserts on one channel take turns.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"

static SPIPlanPtr lock_plan;
static SPIPlanPtr create_plan;
static SPIPlanPtr advance_plan;

/*
 * Locks the channel's rotation row, creating it on first use. Returns false
 * while the rotation has not started, else sets *last to the last user served.
 */
static bool
rotation_lock(int64 channel_id, int64 *last)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(channel_id)};
	bool		isnull;
	SPIPlanPtr	lock = spi_plan(&lock_plan,
								"SELECT r.last_user_id FROM hubroute.channel_rotation r"
								" WHERE r.channel_id" EQ "$1 FOR UPDATE", 1, argtypes);

	if (spi_run(lock, values, NULL, false, 1) == 0)
	{
		/* Another session may create it at the same time: lock whichever row wins. */
		spi_run(spi_plan(&create_plan,
						 "INSERT INTO hubroute.channel_rotation (channel_id)"
						 " VALUES ($1) ON CONFLICT (channel_id) DO NOTHING", 1, argtypes),
				values, NULL, false, 0);
		if (spi_run(lock, values, NULL, false, 1) != 1)
			elog(ERROR, "hubroute: rotation row of channel %lld vanished", (long long) channel_id);
	}
	*last = spi_get_int64(0, 1, &isnull);
	return !isnull;
}

/* Records user_id as the last served on the channel (the row is locked). */
static void
rotation_advance(int64 channel_id, int64 user_id)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(channel_id), Int64GetDatum(user_id)};

	spi_run(spi_plan(&advance_plan,
					 "UPDATE hubroute.channel_rotation SET last_user_id = $2"
					 " WHERE channel_id" EQ "$1", 2, argtypes),
			values, NULL, false, 0);
}

/*
 * Index of the next candidate in the channel's rotation (count > 0;
 * candidates ordered by user id).
 */
int
strategy_round_robin(int64 channel_id, const Candidate *candidates, int count)
{
	int64		last;
	bool		started = rotation_lock(channel_id, &last);
	int			next = 0;

	if (started)
	{
		while (next < count && candidates[next].user_id <= last)
			next++;
		if (next == count)
			next = 0;
	}
	rotation_advance(channel_id, candidates[next].user_id);
	return next;
}
