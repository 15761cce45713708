/*
 * spi_plans.c: prepared statements kept for the life of the backend, run
 * as the extension's owner.
 *
 * Every query text qualifies its tables and operators, so a plan means the
 * same whatever search_path the caller has.
 */
#include "hubroute.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

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

/* The extension's schema, for code not called on one of its tables. */
Oid
hubroute_namespace(void)
{
	return get_namespace_oid("hubroute", false);
}

/*
 * Runs what follows as the owner of the extension's schema, which owns its
 * tables: the caller of a trigger needs no rights on them. Every statement
 * qualifies its objects, so the caller's search_path cannot divert it. An
 * error in between restores the caller at (sub)transaction abort.
 */
void
owner_begin(OwnerSwitch *saved)
{
	Oid			namespace = hubroute_namespace();
	HeapTuple	tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(namespace));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "hubroute: cache lookup failed for namespace %u", namespace);
	owner = ((Form_pg_namespace) GETSTRUCT(tuple))->nspowner;
	ReleaseSysCache(tuple);
	GetUserIdAndSecContext(&saved->user, &saved->security_context);
	SetUserIdAndSecContext(owner, saved->security_context | SECURITY_LOCAL_USERID_CHANGE);
}

/* Back to the caller saved by owner_begin(). */
void
owner_end(const OwnerSwitch *saved)
{
	SetUserIdAndSecContext(saved->user, saved->security_context);
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
