/*
 * items.c: what tickets and conversations have in common, and reading their
 * rows.
 *
 * The attribute numbers of the columns routing reads are looked up once per
 * item table, with their types checked (table_columns(), relations.c). A
 * row read here owns what it holds: its skills are copied out of the tuple,
 * so an ItemRow stays valid whatever happens to the tuple or the SPI result
 * it came from.
 */
#include "hubroute.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_type_d.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"

static const ItemKindInfo kind_info[] = {
	[ITEM_TICKET] = {"tickets", "ticket", "ticket_id", "helpdesk", "a help-desk", TABLE_TICKETS},
	[ITEM_CONVERSATION] = {"conversations", "conversation", "conversation_id", "inbox", "an inbox",
	TABLE_CONVERSATIONS},
};

/* The item columns hubroute reads, and the type each must have (id first). */
static const ColumnSpec item_columns[ITEM_COLUMN_COUNT] = {
	[ITEM_COLUMN_ID] = {"id", INT8OID},
	[ITEM_COLUMN_CHANNEL_ID] = {"channel_id", INT8OID},
	[ITEM_COLUMN_CONTACT_ID] = {"contact_id", INT8OID},
	[ITEM_COLUMN_REQUIRED_SKILLS] = {"required_skills", INT8ARRAYOID},
	[ITEM_COLUMN_STATUS] = {"status", TEXTOID},
	[ITEM_COLUMN_OWNER_ID] = {"owner_id", INT8OID},
	[ITEM_COLUMN_TEAM_ID] = {"team_id", INT8OID},
	[ITEM_COLUMN_HANDLED_BY] = {"handled_by", TEXTOID},
	[ITEM_COLUMN_ASSIGNED_AT] = {"assigned_at", TIMESTAMPTZOID},
	[ITEM_COLUMN_CREATED_AT] = {"created_at", TIMESTAMPTZOID},
	[ITEM_COLUMN_CONVERSATION_ID] = {"conversation_id", INT8OID},
};

/* Per item kind: where its columns are. */
static TableColumns columns_of_kind[2] = {
	[ITEM_TICKET] = {.count = ITEM_COLUMN_COUNT,.columns = item_columns},
	[ITEM_CONVERSATION] = {.count = ITEM_COLUMN_CONVERSATION_ID,.columns = item_columns},
};

/* The names that go with kind. */
const ItemKindInfo *
item_kind_info(ItemKind kind)
{
	return &kind_info[kind];
}

/* The kind of the item table a trigger function fired on; an error for any other table. */
ItemKind
item_kind_of(Relation rel, const char *function)
{
	if (hubroute_rel_is(rel, TABLE_TICKETS))
		return ITEM_TICKET;
	if (hubroute_rel_is(rel, TABLE_CONVERSATIONS))
		return ITEM_CONVERSATION;
	require_hubroute_table(rel, 0, function);
	pg_unreachable();
}

/* The columns of rel (an item table of kind). */
static const TableColumns *
columns_of(Relation rel, ItemKind kind)
{
	return table_columns(&columns_of_kind[kind], rel);
}

/* Attribute number of column in rel (an item table of kind). */
AttrNumber
item_attnum(Relation rel, ItemKind kind, ItemColumn column)
{
	return columns_of(rel, kind)->attnums[column];
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

/*
 * Copies the bigint[] required_skills into row, in the current memory
 * context (a NULL element becomes -1, which no skill has).
 */
static void
copy_skills(HeapTuple tuple, TupleDesc desc, AttrNumber attnum, ItemRow *row)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);
	ArrayType  *array;
	Datum	   *elements;
	bool	   *nulls;

	row->skill_count = 0;
	row->skills = NULL;
	if (isnull)
		return;
	array = DatumGetArrayTypeP(value);
	if (ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array)) > 0)
	{
		deconstruct_array(array, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &elements, &nulls, &row->skill_count);
		row->skills = palloc(sizeof(int64) * row->skill_count);
		for (int i = 0; i < row->skill_count; i++)
			row->skills[i] = nulls[i] ? -1 : DatumGetInt64(elements[i]);
		pfree(elements);
		pfree(nulls);
	}
	if ((Pointer) array != DatumGetPointer(value))
		pfree(array);
}

/*
 * Fills row from tuple, whose first count item columns are at numbers;
 * skills only when asked.
 */
static void
fill_row(HeapTuple tuple, TupleDesc desc, const AttrNumber *numbers, int count, bool with_skills,
		 ItemRow *row)
{
	bool		present;
	bool		isnull;
	Datum		value;

	row->id = read_int64(tuple, desc, numbers[ITEM_COLUMN_ID], &present);
	row->channel_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_CHANNEL_ID], &row->has_channel);
	row->contact_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_CONTACT_ID], &row->has_contact);
	row->owner_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_OWNER_ID], &row->has_owner);
	row->team_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_TEAM_ID], &row->has_team);
	value = heap_getattr(tuple, numbers[ITEM_COLUMN_ASSIGNED_AT], desc, &isnull);
	row->has_assigned_at = !isnull;
	row->assigned_at = isnull ? 0 : DatumGetTimestampTz(value);
	value = heap_getattr(tuple, numbers[ITEM_COLUMN_CREATED_AT], desc, &isnull);
	row->has_created_at = !isnull;
	row->created_at = isnull ? 0 : DatumGetTimestampTz(value);
	row->has_conversation = false;
	row->conversation_id = 0;
	if (count > ITEM_COLUMN_CONVERSATION_ID)
		row->conversation_id = read_int64(tuple, desc, numbers[ITEM_COLUMN_CONVERSATION_ID],
										  &row->has_conversation);
	row->open = text_equals(tuple, desc, numbers[ITEM_COLUMN_STATUS], "open");
	row->customer_agent = text_equals(tuple, desc, numbers[ITEM_COLUMN_HANDLED_BY], "customer_agent");
	row->skill_count = 0;
	row->skills = NULL;
	if (with_skills)
		copy_skills(tuple, desc, numbers[ITEM_COLUMN_REQUIRED_SKILLS], row);
}

/* Fills row from a ticket or conversation tuple of rel; skills only when asked. */
void
item_row_read(Relation rel, ItemKind kind, HeapTuple tuple, bool with_skills, ItemRow *row)
{
	const TableColumns *columns = columns_of(rel, kind);

	fill_row(tuple, RelationGetDescr(rel), columns->attnums, columns->count, with_skills, row);
}

/*
 * Fills row, skills included, from a query result tuple with the item
 * columns (a ticket's conversation_id not among them).
 */
void
item_row_read_result(TupleDesc desc, HeapTuple tuple, ItemKind kind, ItemRow *row)
{
	AttrNumber	numbers[ITEM_COLUMN_COUNT];

	lookup_columns(desc, kind_info[kind].table, item_columns, ITEM_COLUMN_CONVERSATION_ID, numbers);
	fill_row(tuple, desc, numbers, ITEM_COLUMN_CONVERSATION_ID, true, row);
}

/*
 * Do two readings of an item agree on everything routing decided or
 * checked: id, channel, contact, owner, team, status, handled_by and
 * assigned_at?
 */
bool
item_rows_agree(const ItemRow *a, const ItemRow *b)
{
	return a->id == b->id &&
		a->has_channel == b->has_channel && a->channel_id == b->channel_id &&
		a->has_contact == b->has_contact && a->contact_id == b->contact_id &&
		a->has_owner == b->has_owner && a->owner_id == b->owner_id &&
		a->has_team == b->has_team && a->team_id == b->team_id &&
		a->open == b->open && a->customer_agent == b->customer_agent &&
		a->has_assigned_at == b->has_assigned_at && a->assigned_at == b->assigned_at;
}

/* What item_row_stored() looks for. */
typedef struct StoredRowProbe
{
	const TableColumns *columns;
	const ItemRow *expected;
} StoredRowProbe;

/* relation_scan_key() visitor: did this transaction store the expected row? */
static bool
is_expected_row(Relation rel, HeapTuple tuple, void *arg)
{
	StoredRowProbe *probe = arg;
	ItemRow		stored;

	if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(tuple->t_data)))
		return false;
	fill_row(tuple, RelationGetDescr(rel), probe->columns->attnums, probe->columns->count, false, &stored);
	return item_rows_agree(&stored, probe->expected);
}

/*
 * Was a row agreeing with expected inserted into rel by this transaction?
 * BEFORE INSERT asks this of the previous row of its statement: by then
 * the executor has inserted that row or skipped it (ON CONFLICT, a later
 * trigger returning NULL). Probed through the index on id; without one,
 * it cannot tell and answers true.
 */
bool
item_row_stored(Relation rel, ItemKind kind, const ItemRow *expected)
{
	const TableColumns *columns = columns_of(rel, kind);
	StoredRowProbe probe = {.columns = columns,.expected = expected};

	if (!OidIsValid(columns->id_index))
		return true;
	return relation_scan_key(rel, columns->attnums[ITEM_COLUMN_ID], columns->id_index, expected->id,
							 SnapshotSelf, is_expected_row, &probe);
}
