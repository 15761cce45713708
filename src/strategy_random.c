/*
 * strategy_random.c: a uniformly random eligible user.
 */
#include "hubroute.h"

#include "common/pg_prng.h"

/* A uniformly random candidate. */
static int
random_pick(const StrategyChoice *choice, int32 *least pg_attribute_unused())
{
	return (int) pg_prng_uint64_range(&pg_global_prng_state, 0, (uint64) choice->count - 1);
}

/* Why, for the log. */
static char *
random_reason(const StrategyChoice *choice, int32 least pg_attribute_unused())
{
	return psprintf("random pick among %d eligible", choice->count);
}

const Strategy strategy_random = {
	.name = "random",.compares_loads = false,.all_kinds = false,.rotates = false,
	.pick = random_pick,.reason = random_reason,
};
