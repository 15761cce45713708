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
 * The next candidate in the rotation: the first whose id is above the last
 * one served, found by binary search (candidates ordered by user id; the
 * caller holds the decision lock and moves the rotation).
 */
static int
round_robin_pick(const StrategyChoice *choice, int32 *least pg_attribute_unused())
{
	int			low = 0,
				high = choice->count;

	if (!choice->rotation->started)
		return 0;
	while (low < high)
	{
		int			middle = low + (high - low) / 2;

		if (choice->candidates[middle].user_id <= choice->rotation->last_user_id)
			low = middle + 1;
		else
			high = middle;
	}
	return low == choice->count ? 0 : low;
}

/* Why, for the log. */
static char *
round_robin_reason(const StrategyChoice *choice, int32 least pg_attribute_unused())
{
	return psprintf("next in the channel's rotation of %d eligible", choice->count);
}

const Strategy strategy_round_robin = {
	.name = "round_robin",.compares_loads = false,.all_kinds = false,.rotates = true,
	.pick = round_robin_pick,.reason = round_robin_reason,
};
