/*
 * strategy_random.c: a uniformly random eligible user.
 */
#include "hubroute.h"

#include "common/pg_prng.h"

/* Index of a uniformly random candidate among count (count > 0). */
int
strategy_random(int count)
{
	return (int) pg_prng_uint64_range(&pg_global_prng_state, 0, (uint64) count - 1);
}
