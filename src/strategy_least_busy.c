/*
 * strategy_least_busy.c: the user with the fewest open items of any kind
 * (tickets and conversations); ties go to the user who was least recently
 * assigned one, then to the lowest user id.
 */
#include "hubroute.h"

/* Open items of both kinds. */
static int32
open_items(const Candidate *candidate, ItemKind kind pg_attribute_unused())
{
	return candidate->open_tickets + candidate->open_conversations;
}

/* Index of the least busy among count candidates (count > 0). */
int
strategy_least_busy(const Candidate *candidates, int count, ItemKind kind)
{
	return candidates_pick_least_loaded(candidates, count, open_items, kind);
}
