/*
 * spi_plans.c: SPI connections, and prepared statements kept for the life
 * of the backend.
 *
 * Every query text qualifies its tables and operators, so a plan means the
 * same whatever search_path the caller has. Who a statement runs as is
 * decided by its caller (internal_sql.c).
 *
 * Results live in SPI's memory, which SPI_finish() frees: nothing read from
 * SPI_tuptable may be used after it without being copied. In the check
 * build (HUBROUTE_CHECKS) every result table is wiped when SPI frees it and
 * marked undefined for valgrind, so a Datum kept past spi_finish() reads
 * garbage at once and valgrind names the reader.
 */
#include "hubroute.h"

#include "utils/memutils.h"
#include "utils/snapmgr.h"

#ifdef HUBROUTE_CHECKS
#include <valgrind/memcheck.h>
#endif

/* Connects to SPI; any failure is an error. */
void
spi_connect(void)
{
	int			rc = SPI_connect();

	if (rc != SPI_OK_CONNECT)
		elog(ERROR, "hubroute: SPI_connect failed: %s", SPI_result_code_string(rc));
}

/* Ends the SPI connection, freeing every result read through it. */
void
spi_finish(void)
{
	int			rc = SPI_finish();

	if (rc != SPI_OK_FINISH)
		elog(ERROR, "hubroute: SPI_finish failed: %s", SPI_result_code_string(rc));
}

#ifdef HUBROUTE_CHECKS
/* Memory context callback: wipes a result table that is being freed. */
static void
wipe_tuptable(void *arg)
{
	SPITupleTable *table = arg;

	for (uint64 i = 0; i < table->numvals; i++)
	{
		HeapTuple	tuple = table->vals[i];

		memset(tuple->t_data, 0x7f, tuple->t_len);
		VALGRIND_MAKE_MEM_UNDEFINED(tuple->t_data, tuple->t_len);
	}
}
#endif

/* After a query: in the check build, its result is wiped when freed. */
static void
watch_result(void)
{
#ifdef HUBROUTE_CHECKS
	if (SPI_tuptable != NULL)
	{
		MemoryContextCallback *callback = MemoryContextAlloc(SPI_tuptable->tuptabcxt,
															 sizeof(MemoryContextCallback));

		callback->func = wipe_tuptable;
		callback->arg = SPI_tuptable;
		MemoryContextRegisterResetCallback(SPI_tuptable->tuptabcxt, callback);
	}
#endif
}

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
	watch_result();
	return (int) SPI_processed;
}

/* Column col (1-based) of result row as int64. */
int64
spi_get_int64(int row, int col, bool *isnull)
{
	Datum		value = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);

	return *isnull ? 0 : DatumGetInt64(value);
}

/*
 * Runs plan read-only with the latest snapshot: every committed row (even
 * under REPEATABLE READ) and this transaction's own. For what must not miss
 * a concurrent commit: the cached configuration, the counts, references.
 */
int
spi_run_latest(SPIPlanPtr plan, Datum *values, const char *nulls, long count)
{
	int			rc = SPI_execute_snapshot(plan, values, nulls, GetLatestSnapshot(),
										  InvalidSnapshot, true, false, count);

	if (rc < 0)
		elog(ERROR, "hubroute: SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));
	watch_result();
	return (int) SPI_processed;
}

/*
 * Runs plan read-only as of now but blind to this transaction's own
 * changes (a copy of the latest snapshot whose command id precedes them
 * all): what the tables hold committed. For loading the counts, which this
 * transaction's own changes reach through its effects (counters.c).
 */
int
spi_run_committed(SPIPlanPtr plan, Datum *values, const char *nulls, long count)
{
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	int			rc;

	snapshot->curcid = FirstCommandId;
	rc = SPI_execute_snapshot(plan, values, nulls, snapshot, InvalidSnapshot, true, false, count);
	UnregisterSnapshot(snapshot);
	if (rc < 0)
		elog(ERROR, "hubroute: SPI_execute_snapshot failed: %s", SPI_result_code_string(rc));
	watch_result();
	return (int) SPI_processed;
}

/* Prepares sql for this SPI connection only (statements run once in a while). */
SPIPlanPtr
spi_prepare_once(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "hubroute: could not prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	return plan;
}
