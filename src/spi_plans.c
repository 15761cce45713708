/*
 * spi_plans.c: prepared statements kept for the life of the backend.
 *
 * Every query text qualifies its tables and operators, so a plan means the
 * same whatever search_path the caller has.
 */
#include "hubroute.h"

/* Prepares sql on first use and keeps the plan in *cache. */
SPIPlanPtr
spi_plan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan;

	if (*cache != NULL)
		return *cache;
	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "hubroute: could not prepare \"%s\": %s",
			 sql, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "hubroute: could not keep plan for \"%s\"", sql);
	*cache = plan;
	return plan;
}

/* Runs a saved plan; returns SPI_processed. Any SPI failure is an error. */
int
spi_run(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, long count)
{
	int			rc = SPI_execute_plan(plan, values, nulls, read_only, count);

	if (rc < 0)
		elog(ERROR, "hubroute: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/* Column col (1-based) of result row as int64. */
int64
spi_get_int64(int row, int col, bool *isnull)
{
	Datum		value = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);

	return *isnull ? 0 : DatumGetInt64(value);
}
