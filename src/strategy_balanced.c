/*
 * strategy_balanced.c: the user with the fewest open items of the item's
 * kind (tickets in a help desk, conversations in an inbox); ties go to the
 * least recently assigned, then to the lowest user id.
 */
#include "hubroute.h"

/* Index of the balanced choice among count candidates (count > 0); *least is its load. */
int
strategy_balanced(const Candidate *candidates, int count, ItemKind kind, int32 *least)
{
	return candidates_pick_least_loaded(candidates, count, kind, false, least);
}
