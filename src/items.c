/*
 * items.c: what tickets and conversations have in common, and reading their
 * rows in triggers.
 *
 * The attribute numbers of the columns routing reads are looked up once per
 * item table and kept until its relcache entry is invalidated (a column
 * added or dropped), instead of by name on every row.
 */
#include "hubroute.h"

#include "utils/builtins.h"
#include "utils/inval.h"

static const ItemKindInfo kind_info[] = {
	[ITEM_TICKET] = {"tickets", "ticket", "ticket_id", "helpdesk", "a help-desk"},
	[ITEM_CONVERSATION] = {"conversations", "conversation", "conversation_id", "inbox", "an inbox"},
};

static const char *const column_names[ITEM_COLUMN_COUNT] = {
	[ITEM_COLUMN_ID] = "id",
	[ITEM_COLUMN_CHANNEL_ID] = "channel_id",
	[ITEM_COLUMN_CONTACT_ID] = "contact_id",
	[ITEM_COLUMN_REQUIRED_SKILLS] = "required_skills",
	[ITEM_COLUMN_STATUS] = "status",
	[ITEM_COLUMN_OWNER_ID] = "owner_id",
	[ITEM_COLUMN_TEAM_ID] = "team_id",
	[ITEM_COLUMN_HANDLED_BY] = "handled_by",
	[ITEM_COLUMN_ASSIGNED_AT] = "assigned_at",
};

/* Per item kind: the table the attribute numbers belong to (0: none yet). */
static Oid	attnums_relid[2];
static AttrNumber attnums[2][ITEM_COLUMN_COUNT];

/* The names that go with kind. */
const ItemKindInfo *
item_kind_info(ItemKind kind)
{
	return &kind_info[kind];
}

/* The kind of the item table a trigger fired on. */
ItemKind
item_kind_of(Relation rel)
{
	const char *name = RelationGetRelationName(rel);

	if (strcmp(name, kind_info[ITEM_TICKET].table) == 0)
		return ITEM_TICKET;
	if (strcmp(name, kind_info[ITEM_CONVERSATION].table) == 0)
		return ITEM_CONVERSATION;
	elog(ERROR, "hubroute: trigger fired on unexpected table \"%s\"", name);
	pg_unreachable();
}

/* Relcache callback: an item table changed shape (or everything was reset). */
static void
items_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	for (int kind = ITEM_TICKET; kind <= ITEM_CONVERSATION; kind++)
		if (relid == InvalidOid || relid == attnums_relid[kind])
			attnums_relid[kind] = InvalidOid;
}

/* Called once from _PG_init. */
void
items_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(items_relcache_callback, (Datum) 0);
}

/* Looks up the attribute number of every column in desc; an error if one was dropped. */
static void
attnums_lookup(TupleDesc desc, AttrNumber *numbers)
{
	for (int c = 0; c < ITEM_COLUMN_COUNT; c++)
	{
		numbers[c] = SPI_fnumber(desc, column_names[c]);
		if (numbers[c] <= 0)
			elog(ERROR, "hubroute: item row has no column \"%s\"", column_names[c]);
	}
}

/* The attribute numbers of rel (an item table), looked up once. */
static const AttrNumber *
attnums_of(Relation rel)
{
	ItemKind	kind = item_kind_of(rel);

	if (attnums_relid[kind] != RelationGetRelid(rel))
	{
		attnums_lookup(RelationGetDescr(rel), attnums[kind]);
		attnums_relid[kind] = RelationGetRelid(rel);
	}
	return attnums[kind];
}

/* Attribute number of column in rel (an item table). */
AttrNumber
item_attnum(Relation rel, ItemColumn column)
{
	return attnums_of(rel)[column];
}

/* Column of tuple as int64; *present is false for NULL. */
static int64
read_int64(HeapTuple tuple, TupleDesc desc, AttrNumber attnum, bool *present)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);

	*present = !isnull;
	return isnull ? 0 : DatumGetInt64(value);
}

/* Does the text column attnum of tuple equal expected? */
static bool
text_equals(HeapTuple tuple, TupleDesc desc, AttrNumber attnum, const char *expected)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);
	text	   *text_value;
	bool		equal;

	if (isnull)
		return false;
	text_value = DatumGetTextPP(value);
	equal = VARSIZE_ANY_EXHDR(text_value) == strlen(expected) &&
		memcmp(VARDATA_ANY(text_value), expected, strlen(expected)) == 0;
	if ((Pointer) text_value != DatumGetPointer(value))
		pfree(text_value);
	return equal;
}

/* Fills row from tuple, whose columns are at numbers. */
static void
fill_row(HeapTuple tuple, TupleDesc desc, const AttrNumber *numbers, ItemRow *row)
{
	bool		present;
	bool		isnull;
	Datum		value;

	row->id = read_int64(tuple, desc, numbers[ITEM_COLUMN_ID], &present);
	row->channel_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_CHANNEL_ID], &present);
	row->contact_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_CONTACT_ID], &row->has_contact);
	row->owner_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_OWNER_ID], &row->has_owner);
	row->team_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_TEAM_ID], &row->has_team);
	value = heap_getattr(tuple, numbers[ITEM_COLUMN_REQUIRED_SKILLS], desc, &isnull);
	row->required_skills = isnull ? (Datum) 0 : value;
	value = heap_getattr(tuple, numbers[ITEM_COLUMN_ASSIGNED_AT], desc, &isnull);
	row->has_assigned_at = !isnull;
	row->assigned_at = isnull ? 0 : DatumGetTimestampTz(value);
	row->open = text_equals(tuple, desc, numbers[ITEM_COLUMN_STATUS], "open");
	row->customer_agent = text_equals(tuple, desc, numbers[ITEM_COLUMN_HANDLED_BY], "customer_agent");
}

/* Fills row from a ticket or conversation tuple of rel. */
void
item_row_read(Relation rel, HeapTuple tuple, ItemRow *row)
{
	fill_row(tuple, RelationGetDescr(rel), attnums_of(rel), row);
}

/* Fills row from a query result tuple with the item columns, found by name. */
void
item_row_read_tuple(TupleDesc desc, HeapTuple tuple, ItemRow *row)
{
	AttrNumber	numbers[ITEM_COLUMN_COUNT];

	attnums_lookup(desc, numbers);
	fill_row(tuple, desc, numbers, row);
}
