/*
 * items.c: what tickets and conversations have in common.
 */
#include "hubroute.h"

#include "utils/builtins.h"

static const ItemKindInfo kind_info[] = {
	[ITEM_TICKET] = {"tickets", "ticket", "ticket_id", "helpdesk", "a help-desk"},
	[ITEM_CONVERSATION] = {"conversations", "conversation", "conversation_id", "inbox", "an inbox"},
};

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

/* Attribute number of column name; an error if it was dropped. */
static int
column_number(TupleDesc desc, const char *name)
{
	int			attnum = SPI_fnumber(desc, name);

	if (attnum <= 0)
		elog(ERROR, "hubroute: item row has no column \"%s\"", name);
	return attnum;
}

/* Column name of tuple; *isnull tells SQL NULL. */
static Datum
read_column(TupleDesc desc, HeapTuple tuple, const char *name, bool *isnull)
{
	return heap_getattr(tuple, column_number(desc, name), desc, isnull);
}

/* Column name of tuple as int64; *present is false for NULL. */
static int64
read_int64(TupleDesc desc, HeapTuple tuple, const char *name, bool *present)
{
	bool		isnull;
	Datum		value = read_column(desc, tuple, name, &isnull);

	*present = !isnull;
	return isnull ? 0 : DatumGetInt64(value);
}

/* Does text column name of tuple equal expected? */
static bool
text_equals(TupleDesc desc, HeapTuple tuple, const char *name, const char *expected)
{
	bool		isnull;
	Datum		value = read_column(desc, tuple, name, &isnull);

	return !isnull && strcmp(TextDatumGetCString(value), expected) == 0;
}

/* Fills row from a ticket or conversation tuple of descriptor desc. */
void
item_row_read(TupleDesc desc, HeapTuple tuple, ItemRow *row)
{
	bool		present;
	bool		isnull;
	Datum		value;

	row->id = read_int64(desc, tuple, "id", &present);
	row->channel_id = read_int64(desc, tuple, "channel_id", &present);
	row->contact_id = read_int64(desc, tuple, "contact_id", &row->has_contact);
	row->owner_id = read_int64(desc, tuple, "owner_id", &row->has_owner);
	row->team_id = read_int64(desc, tuple, "team_id", &row->has_team);
	value = read_column(desc, tuple, "required_skills", &isnull);
	row->required_skills = isnull ? (Datum) 0 : value;
	value = read_column(desc, tuple, "assigned_at", &isnull);
	row->has_assigned_at = !isnull;
	row->assigned_at = isnull ? 0 : DatumGetTimestampTz(value);
	row->open = text_equals(desc, tuple, "status", "open");
	row->customer_agent = text_equals(desc, tuple, "handled_by", "customer_agent");
}
