/*
 * strategy_balanced.c: the user with the fewest open items of the item's
 * kind (tickets in a help desk, conversations in an inbox); ties go to the
 * least recently assigned, then to the lowest user id.
 */
#include "hubroute.h"

/* The balanced choice; *least is its load. */
static int
balanced_pick(const StrategyChoice *choice, int32 *least)
{
	return candidates_pick_least_loaded(choice->candidates, choice->count, choice->kind, false, least);
}

/* Why, for the log. */
static char *
balanced_reason(const StrategyChoice *choice, int32 least)
{
	return psprintf("fewest open %ss (%d) among %d eligible",
					item_kind_info(choice->kind)->noun, least, choice->count);
}

const Strategy strategy_balanced = {
	.name = "balanced",.compares_loads = true,.all_kinds = false,.rotates = false,
	.pick = balanced_pick,.reason = balanced_reason,
};
