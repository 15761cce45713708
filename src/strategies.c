/*
 * strategies.c: the distributions of a users_and_teams rule, one row each.
 *
 * route.c reads a strategy's properties from its row and never its name: a
 * new distribution is one file (strategy_<name>.c, defining its Strategy)
 * and one row below. hubroute.distributions() lists the names, which the
 * validation of hubroute.channels accepts.
 */
#include "hubroute.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_distributions);

static const Strategy *const strategies[] = {
	&strategy_balanced,
	&strategy_random,
	&strategy_least_busy,
	&strategy_round_robin,
};

/* The strategy of a distribution value, or NULL when there is none of that name. */
const Strategy *
strategy_named(const char *name)
{
	for (size_t i = 0; i < lengthof(strategies); i++)
		if (strcmp(strategies[i]->name, name) == 0)
			return strategies[i];
	return NULL;
}

/*
 * The channel's distribution, or its default when the value is NULL (or
 * unknown, validation bypassed): balanced in a help desk; in an inbox random
 * for email and form channels, least busy for all others (SPEC §1).
 */
const Strategy *
strategy_of_channel(const char *value, bool inbox, const char *channel_kind)
{
	const Strategy *named = value != NULL ? strategy_named(value) : NULL;

	if (named != NULL)
		return named;
	if (!inbox)
		return &strategy_balanced;
	if (strcmp(channel_kind, "email") == 0 || strcmp(channel_kind, "form") == 0)
		return &strategy_random;
	return &strategy_least_busy;
}

/* The methods logged by the strategies that keep a rotation (counters_load.c). */
Datum
strategy_rotating_names(void)
{
	Datum		names[lengthof(strategies)];
	int			count = 0;

	for (size_t i = 0; i < lengthof(strategies); i++)
		if (strategies[i]->rotates)
			names[count++] = CStringGetTextDatum(strategies[i]->name);
	return PointerGetDatum(construct_array(names, count, TEXTOID, -1, false, TYPALIGN_INT));
}

/* hubroute.distributions(): the distribution values, in the table's order. */
Datum
hubroute_distributions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (size_t i = 0; i < lengthof(strategies); i++)
	{
		Datum		value = CStringGetTextDatum(strategies[i]->name);
		bool		isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
	}
	return (Datum) 0;
}
