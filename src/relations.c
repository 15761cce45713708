/*
 * relations.c: which relations are hubroute's, by OID, and the shape of
 * their columns.
 *
 * The C trigger functions are objects in schema hubroute; a role that may
 * execute them can attach them to any table it owns. So a trigger never
 * trusts a table's name: it compares the relation's OID with the OIDs of
 * hubroute's own tables, looked up once in the extension's schema and
 * forgotten when any of them is invalidated (dropped or altered) or any
 * schema changes (the extension created again), the way pg_cron caches its
 * relation ids.
 *
 * A DBA may still alter hubroute's tables. Every column the C code reads
 * is found by name and its type checked where the attribute number is
 * looked up (relation_column()), so a dropped or retyped column is a clear
 * error instead of a misread.
 */
#include "hubroute.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "nodes/primnodes.h"
#include "utils/lsyscache.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

static const char *const table_names[TABLE_COUNT] = {
	[TABLE_TICKETS] = "tickets",
	[TABLE_CONVERSATIONS] = "conversations",
	[TABLE_MESSAGES] = "messages",
	[TABLE_ASSIGNMENTS] = "assignments",
	[TABLE_NOTIFICATIONS] = "notifications",
	[TABLE_CONTACTS] = "contacts",
	[TABLE_CHANNELS] = "channels",
	[TABLE_USERS] = "users",
	[TABLE_TEAMS] = "teams",
};

/* Looked up on first use; all InvalidOid again after an invalidation. */
static Oid	namespace_oid = InvalidOid;
static Oid	relids[TABLE_COUNT];

/* The column caches in use, forgotten with their table (table_columns()). */
#define MAX_COLUMN_CACHES 8
static TableColumns *column_caches[MAX_COLUMN_CACHES];
static int	column_cache_count = 0;

/* Relcache callback: one of our relations changed, or everything was reset. */
static void
relations_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	bool		ours = relid == InvalidOid;

	for (int c = 0; c < column_cache_count; c++)
		if (relid == InvalidOid || column_caches[c]->relid == relid)
			column_caches[c]->relid = InvalidOid;
	for (int t = 0; t < TABLE_COUNT && !ours; t++)
		ours = relids[t] == relid;
	if (!ours)
		return;
	namespace_oid = InvalidOid;
	memset(relids, 0, sizeof(relids));
}

/* Syscache callback: a schema was created, renamed or dropped. */
static void
relations_namespace_callback(Datum arg pg_attribute_unused(), int cacheid pg_attribute_unused(),
							 uint32 hashvalue pg_attribute_unused())
{
	relations_relcache_callback((Datum) 0, InvalidOid);
}

/* Called once from _PG_init. */
void
relations_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(relations_relcache_callback, (Datum) 0);
	CacheRegisterSyscacheCallback(NAMESPACEOID, relations_namespace_callback, (Datum) 0);
}

/* The extension's schema. */
Oid
hubroute_namespace(void)
{
	if (!OidIsValid(namespace_oid))
		namespace_oid = get_namespace_oid("hubroute", false);
	return namespace_oid;
}

/* The OID of one of hubroute's tables; an error if it is gone. */
Oid
hubroute_relid(HubrouteTable table)
{
	if (!OidIsValid(relids[table]))
	{
		Oid			relid = get_relname_relid(table_names[table], hubroute_namespace());

		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"hubroute.%s\" does not exist", table_names[table]),
					 errhint("hubroute's tables are part of the extension; recreate it with"
							 " DROP EXTENSION hubroute; CREATE EXTENSION hubroute.")));
		relids[table] = relid;
	}
	return relids[table];
}

/* The name of one of hubroute's tables, unqualified. */
const char *
hubroute_table_name(HubrouteTable table)
{
	return table_names[table];
}

/* Is rel hubroute's table? */
bool
hubroute_rel_is(Relation rel, HubrouteTable table)
{
	return RelationGetRelid(rel) == hubroute_relid(table);
}

/*
 * Errors unless the trigger function called fired on one of hubroute's
 * tables among allowed (a bit mask of 1 << HubrouteTable).
 */
void
require_hubroute_table(Relation rel, uint32 allowed, const char *function)
{
	for (int t = 0; t < TABLE_COUNT; t++)
		if ((allowed & (1u << t)) != 0 && hubroute_rel_is(rel, (HubrouteTable) t))
			return;
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("%s fired on table \"%s\", which is not one of hubroute's",
					function, RelationGetRelationName(rel)),
			 errdetail("hubroute's trigger functions work only on the tables of schema hubroute"
					   " that the extension attached them to.")));
}

/*
 * The attribute number of column in desc (a table of hubroute's, named
 * table in messages), which must have type type_oid. A dropped or retyped
 * column is an error that says what hubroute needs.
 */
AttrNumber
relation_column(TupleDesc desc, const char *table, const char *column, Oid type_oid)
{
	AttrNumber	attnum = SPI_fnumber(desc, column);
	Oid			actual;

	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"hubroute.%s\" does not exist", column, table),
				 errdetail("hubroute reads this column to route items."),
				 errhint("Add it back with the type %s; the README lists the columns and triggers"
						 " that are part of hubroute's contract.", format_type_be(type_oid))));
	actual = TupleDescAttr(desc, attnum - 1)->atttypid;
	if (actual != type_oid)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of relation \"hubroute.%s\" has type %s, but hubroute needs %s",
						column, table, format_type_be(actual), format_type_be(type_oid)),
				 errhint("ALTER TABLE hubroute.%s ALTER COLUMN %s TYPE %s;", table,
						 quote_identifier(column), format_type_be(type_oid))));
	return attnum;
}

/* Looks up the attribute numbers of count columns in desc, checking their types. */
void
lookup_columns(TupleDesc desc, const char *table, const ColumnSpec *columns, int count,
			   AttrNumber *attnums)
{
	for (int c = 0; c < count; c++)
		attnums[c] = relation_column(desc, table, columns[c].name, columns[c].type);
}

/*
 * cache filled for rel, one of hubroute's tables: its columns' attribute
 * numbers (types checked), and, when the first column is "id", an index
 * that finds rows by it. Looked up once and again after the table's relcache entry is
 * invalidated (a column added, dropped or retyped, an index changed).
 */
const TableColumns *
table_columns(TableColumns *cache, Relation rel)
{
	if (cache->relid == RelationGetRelid(rel))
		return cache;
	if (!cache->registered)
	{
		if (column_cache_count == MAX_COLUMN_CACHES)
			elog(ERROR, "hubroute: too many column caches");
		column_caches[column_cache_count++] = cache;
		cache->registered = true;
	}
	Assert(cache->count <= MAX_TABLE_COLUMNS);
	lookup_columns(RelationGetDescr(rel), RelationGetRelationName(rel), cache->columns, cache->count,
				   cache->attnums);
	cache->id_index = strcmp(cache->columns[0].name, "id") == 0
		? relation_index_on(rel, cache->attnums[0]) : InvalidOid;
	cache->relid = RelationGetRelid(rel);
	return cache;
}

/*
 * Scans rel for the rows with column = value that snapshot sees (through
 * index when valid, else the heap), calling visit on each until it returns
 * true; returns whether one did. A NULL visit accepts any row.
 */
bool
relation_scan_key(Relation rel, AttrNumber column, Oid index, int64 value, Snapshot snapshot,
				  bool (*visit) (Relation rel, HeapTuple tuple, void *arg), void *arg)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	bool		found = false;

	ScanKeyInit(&key, column, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(value));
	scan = systable_beginscan(rel, index, OidIsValid(index), snapshot, 1, &key);
	while (!found && HeapTupleIsValid(tuple = systable_getnext(scan)))
		found = visit == NULL || visit(rel, tuple, arg);
	systable_endscan(scan);
	return found;
}

/* Is the index predicate "column IS NOT NULL" (or none)? */
static bool
predicate_is_not_null(List *predicate, AttrNumber column)
{
	NullTest   *test;

	if (predicate == NIL)
		return true;
	if (list_length(predicate) != 1)
		return false;
	test = linitial(predicate);
	return IsA(test, NullTest) && test->nulltesttype == IS_NOT_NULL && IsA(test->arg, Var) &&
		((Var *) test->arg)->varattno == column;
}

/*
 * A btree index of rel that finds every row with column = value: its first
 * key is the column itself, and it is not partial but for column IS NOT
 * NULL. InvalidOid when there is none.
 */
Oid
relation_index_on(Relation rel, AttrNumber column)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *cell;
	Oid			found = InvalidOid;

	foreach(cell, indexes)
	{
		Relation	index = open_index_to_read(lfirst_oid(cell));

		if (index->rd_rel->relam == BTREE_AM_OID && index->rd_index->indkey.values[0] == column &&
			predicate_is_not_null(RelationGetIndexPredicate(index), column))
			found = RelationGetRelid(index);
		index_close(index, NoLock);
		if (OidIsValid(found))
			break;
	}
	list_free(indexes);
	return found;
}

/*
 * Has hubroute's table a row with column = value, as of the latest
 * snapshot? Read through an index on the column when there is one, with no
 * SQL.
 */
bool
hubroute_has_row(HubrouteTable table, const char *column, int64 value)
{
	Relation	rel = open_to_read(hubroute_relid(table));
	AttrNumber	attnum = relation_column(RelationGetDescr(rel), table_names[table], column, INT8OID);
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	bool		found = relation_scan_key(rel, attnum, relation_index_on(rel, attnum), value,
										  snapshot, NULL, NULL);

	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);
	return found;
}
