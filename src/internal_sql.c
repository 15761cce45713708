/*
 * internal_sql.c: who hubroute's own SQL runs as, and what it can reach.
 *
 * hubroute's triggers run inside the statements of every role that writes
 * items or messages. The SQL hubroute issues itself fires whatever a DBA
 * added to hubroute's tables (triggers, column defaults, row security
 * policies, constraints that call functions), and that code may call
 * functions other roles own or resolve names through a search_path. None of
 * it may ever run with more rights than the role that controls it. So:
 *
 *  1. Internal SQL runs as the role hubroute_internal, never as a superuser
 *     or as the owner of the schema or its tables: loading the cached
 *     configuration and the counts, checking that no item refers to a row
 *     being deleted, the log and outbox inserts when they go through SQL,
 *     reading an item's last decision. The install script creates the role
 *     NOLOGIN, without members, and grants it only what those statements
 *     need (SELECT on the configuration, item and log tables, INSERT on
 *     assignments and notifications). internal_role() refuses to run as it
 *     when it has been made a superuser. Ownership changes (ALTER SCHEMA or
 *     TABLE ... OWNER TO) change nothing here.
 *  2. It runs as a SECURITY_RESTRICTED_OPERATION: code it fires cannot
 *     SET ROLE or SET SESSION AUTHORIZATION, nor create temporary objects to
 *     shadow names for later statements.
 *  3. It runs in its own GUC nest level with search_path pinned to
 *     pg_catalog, pg_temp: code it fires finds unqualified functions and
 *     operators in pg_catalog only, never in the caller's schemas (and never
 *     in pg_temp), and unqualified tables in pg_catalog, else in the
 *     session's own temporary schema. Every setting changed inside (SET,
 *     set_config(), a function's SET clause, session_replication_role) is
 *     rolled back when the internal statement ends, so nothing leaks into
 *     the caller's session.
 *  4. What hubroute does on the caller's behalf runs as the caller, with no
 *     switch at all: route_ticket() and route_conversation() lock and update
 *     the item as the caller, and the owner change behind a reply updates the
 *     item as the role that inserted the message. The caller's own UPDATE
 *     right and row-level security decide, as if it had run the UPDATE.
 *  5. The hot path runs no SQL: the decision log goes straight into the heap
 *     while assignments is as the extension made it (decision_log.c), and
 *     contacts are read through their primary key index (integrity.c).
 *
 * An error inside restores the caller's identity and settings at
 * (sub)transaction abort, as for any function call. Every statement text
 * qualifies its objects and operators.
 */
#include "hubroute.h"

#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#define INTERNAL_ROLE "hubroute_internal"

/* The role internal SQL runs as; an error if it is missing or a superuser. */
static Oid
internal_role(void)
{
	HeapTuple	tuple = SearchSysCache1(AUTHNAME, CStringGetDatum(INTERNAL_ROLE));
	Form_pg_authid role;
	Oid			oid;

	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\" does not exist", INTERNAL_ROLE),
				 errdetail("hubroute runs its own SQL as this role."),
				 errhint("CREATE EXTENSION hubroute creates it; recreate the extension, or"
						 " CREATE ROLE %s NOLOGIN and grant it what the install script grants.",
						 INTERNAL_ROLE)));
	role = (Form_pg_authid) GETSTRUCT(tuple);
	oid = role->oid;
	if (role->rolsuper)
	{
		ReleaseSysCache(tuple);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_ROLE_SPECIFICATION),
				 errmsg("role \"%s\" must not be a superuser", INTERNAL_ROLE),
				 errdetail("hubroute runs its own SQL as this role; code a DBA attaches to"
						   " hubroute's tables runs with its rights."),
				 errhint("ALTER ROLE %s NOSUPERUSER;", INTERNAL_ROLE)));
	}
	ReleaseSysCache(tuple);
	return oid;
}

/*
 * Connects to SPI and runs what follows as hubroute_internal, restricted,
 * with a pinned search_path (see the top of this file).
 */
void
internal_sql_begin(InternalSql *state)
{
	Oid			role = internal_role();

	spi_connect();
	GetUserIdAndSecContext(&state->saved_user, &state->saved_context);
	SetUserIdAndSecContext(role, state->saved_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	state->guc_nest = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/* Rolls back every setting changed inside, returns to the caller, ends SPI. */
void
internal_sql_end(const InternalSql *state)
{
	AtEOXact_GUC(false, state->guc_nest);
	SetUserIdAndSecContext(state->saved_user, state->saved_context);
	spi_finish();
}
