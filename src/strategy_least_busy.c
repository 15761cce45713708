/*
 * strategy_least_busy.c: the user with the fewest open items of any kind
 * (tickets and conversations); ties go to the user who was least recently
 * assigned one, then to the lowest user id.
 */
#include "hubroute.h"

/* Index of the least busy among count candidates (count > 0); *least is its load. */
int
strategy_least_busy(const Candidate *candidates, int count, ItemKind kind, int32 *least)
{
	return candidates_pick_least_loaded(candidates, count, kind, true, least);
}
