/*
 * strategy_round_robin.c: per channel, each pool member gets one item before
 * anyone gets a second.
 *
 * The rotation walks the pool in user id order and remembers only the last
 * user served (a Rotation in shared memory, loaded after a restart from the
 * channel's last round-robin row in hubroute.assignments), so members
 * joining or leaving never reset it: the next item goes to the eligible
 * member with the next higher id, wrapping around.
 */
#include "hubroute.h"

/*
 * Index of the next candidate in the rotation: the first whose id is above
 * the last one served, found by binary search (count > 0; candidates ordered
 * by user id; the caller holds the decision lock and moves the rotation).
 */
int
strategy_round_robin(const Rotation *rotation, const Candidate *candidates, int count)
{
	int			low = 0,
				high = count;

	if (!rotation->started)
		return 0;
	while (low < high)
	{
		int			middle = low + (high - low) / 2;

		if (candidates[middle].user_id <= rotation->last_user_id)
			low = middle + 1;
		else
			high = middle;
	}
	return low == count ? 0 : low;
}
