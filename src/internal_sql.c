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
 *  1. Internal SQL runs as one of two roles of hubroute's own, never as a
 *     superuser or as the owner of the schema or its tables:
 *     - hubroute_internal reads: loading the cached configuration and the
 *       counts, checking that no item refers to a row being deleted,
 *       reading an item's last decision. It has SELECT on the
 *       configuration, item and log tables, and BYPASSRLS, so that a DBA's
 *       row security neither hides rows from routing nor runs policy code
 *       as it. Plain SELECTs on tables fire no trigger, default or rule:
 *       no code but PostgreSQL's own ever runs as this role;
 *     - hubroute_logger writes: the log and outbox rows when they go
 *       through SQL, the messages hubroute posts (decision_log.c), and the
 *       handoff a visitor's message asks for (handoff.c). It has INSERT on
 *       assignments, notifications and messages, and SELECT and UPDATE of
 *       the few columns of conversations a handoff reads and sets, and
 *       nothing else, so whatever a DBA attached to those tables runs with
 *       no more than those rights.
 *     The install script creates both without login, members or
 *     memberships; internal_role() refuses to run as one that has since
 *     been given a login, a member, a membership, or a superuser, CREATEROLE,
 *     CREATEDB or REPLICATION attribute. Ownership changes (ALTER SCHEMA or
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

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_shdepend.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "utils/catcache.h"
#include "utils/guc.h"
#include "utils/syscache.h"

static const char *const role_names[] = {
	[INTERNAL_READER] = "hubroute_internal",
	[INTERNAL_LOGGER] = "hubroute_logger",
};

/* Refuses to run as role name, which has what it must not have (problem). */
static void
refuse_role(const char *name, const char *problem, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_ROLE_SPECIFICATION),
			 errmsg("hubroute will not run its own SQL as role \"%s\": it %s", name, problem),
			 errdetail("Code attached to hubroute's tables runs with that role's rights;"
					   " the role must have nothing but the rights the extension granted it."),
			 errhint("%s", hint)));
}

/* How many rows a syscache list lookup by role finds. */
static int
role_list_length(int cache, Oid role)
{
	CatCList   *list = SearchSysCacheList1(cache, ObjectIdGetDatum(role));
	int			length = list->n_members;

	ReleaseSysCacheList(list);
	return length;
}

/*
 * Does role own any object? Code running as it could create one (a
 * SECURITY DEFINER function, a view) to keep its rights for later.
 */
static bool
role_owns_objects(Oid role)
{
	Relation	shdepend = open_to_read(SharedDependRelationId);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		owns = false;

	ScanKeyInit(&keys[0], Anum_pg_shdepend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(AuthIdRelationId));
	ScanKeyInit(&keys[1], Anum_pg_shdepend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(role));
	scan = systable_beginscan(shdepend, SharedDependReferenceIndexId, true, NULL, 2, keys);
	while (!owns && HeapTupleIsValid(tuple = systable_getnext(scan)))
		owns = ((Form_pg_shdepend) GETSTRUCT(tuple))->deptype == SHARED_DEPENDENCY_OWNER;
	systable_endscan(scan);
	table_close(shdepend, NoLock);
	return owns;
}

/* The OID of one of hubroute's own roles, refused unless as created (see above). */
static Oid
internal_role(InternalRole which)
{
	const char *name = role_names[which];
	HeapTuple	tuple = SearchSysCache1(AUTHNAME, CStringGetDatum(name));
	Form_pg_authid role;
	Oid			oid;
	bool		powerful;
	bool		can_login;

	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role \"%s\" does not exist", name),
				 errdetail("hubroute runs its own SQL as this role."),
				 errhint("CREATE EXTENSION hubroute creates it; drop and create the extension again.")));
	role = (Form_pg_authid) GETSTRUCT(tuple);
	oid = role->oid;
	powerful = role->rolsuper || role->rolcreaterole || role->rolcreatedb || role->rolreplication;
	can_login = role->rolcanlogin;
	ReleaseSysCache(tuple);
	if (powerful)
		refuse_role(name, "is a superuser or may create roles or databases, or replicate",
					psprintf("ALTER ROLE %s NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION;", name));
	if (can_login)
		refuse_role(name, "can log in", psprintf("ALTER ROLE %s NOLOGIN;", name));
	if (role_list_length(AUTHMEMROLEMEM, oid) > 0)
		refuse_role(name, "has members, who share its rights",
					psprintf("REVOKE %s FROM each role that SELECT member::regrole FROM"
							 " pg_auth_members WHERE roleid = '%s'::regrole lists.", name, name));
	if (role_list_length(AUTHMEMMEMROLE, oid) > 0)
		refuse_role(name, "is a member of other roles, whose rights it would have",
					psprintf("REVOKE from %s each role that SELECT roleid::regrole FROM"
							 " pg_auth_members WHERE member = '%s'::regrole lists.", name, name));
	if (role_owns_objects(oid))
		refuse_role(name, "owns objects, which code run as it may have made to keep its rights",
					psprintf("Review them, then REASSIGN OWNED BY %s TO a trusted role"
							 " (DROP OWNED would also revoke its grants).", name));
	return oid;
}

/*
 * Connects to SPI and runs what follows as one of hubroute's own roles,
 * restricted, with a pinned search_path (see the top of this file).
 */
void
internal_sql_begin(InternalSql *state, InternalRole which)
{
	Oid			role = internal_role(which);

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
