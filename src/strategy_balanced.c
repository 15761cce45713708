/*
 * strategy_balanced.c: the user with the fewest open items of the item's
 * kind (tickets in a help desk, conversations in an inbox); ties go to the
 * least recently assigned, then to the lowest user id.
 */
#include "hubroute.h"

/* Open items of the kind being routed. */
static int32
open_of_kind(const Candidate *candidate, ItemKind kind)
{
	return kind == ITEM_TICKET ? candidate->open_tickets : candidate->open_conversations;
}

/* Index of the balanced choice among count candidates (count > 0). */
int
strategy_balanced(const Candidate *candidates, int count, ItemKind kind)
{
	return candidates_pick_least_loaded(candidates, count, open_of_kind, kind);
}
