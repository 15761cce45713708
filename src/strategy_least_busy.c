/*
 * strategy_least_busy.c: the user with the fewest open items of any kind
 * (tickets and conversations); ties go to the user who was least recently
 * assigned one, then to the lowest user id.
 */
#include "hubroute.h"

/* The least busy; *least is its load. */
static int
least_busy_pick(const StrategyChoice *choice, int32 *least)
{
	return candidates_pick_least_loaded(choice->candidates, choice->count, choice->kind, true, least);
}

/* Why, for the log. */
static char *
least_busy_reason(const StrategyChoice *choice, int32 least)
{
	return psprintf("fewest open items (%d) among %d eligible", least, choice->count);
}

const Strategy strategy_least_busy = {
	.name = "least_busy",.compares_loads = true,.all_kinds = true,.rotates = false,
	.pick = least_busy_pick,.reason = least_busy_reason,
};
