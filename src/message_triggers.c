/*
 * message_triggers.c: the trigger on hubroute.messages: a reply by an agent
 * makes it the owner of an unassigned item.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_message_reply);

/* The message columns the reply trigger reads. */
enum
{
	MESSAGE_TICKET_ID,
	MESSAGE_CONVERSATION_ID,
	MESSAGE_AUTHOR,
	MESSAGE_DIRECTION,
	MESSAGE_COLUMN_COUNT
};
static const ColumnSpec message_spec[MESSAGE_COLUMN_COUNT] = {
	[MESSAGE_TICKET_ID] = {"ticket_id", INT8OID},
	[MESSAGE_CONVERSATION_ID] = {"conversation_id", INT8OID},
	[MESSAGE_AUTHOR] = {"author_user_id", INT8OID},
	[MESSAGE_DIRECTION] = {"direction", TEXTOID},
};
static TableColumns message_columns = {.count = MESSAGE_COLUMN_COUNT,.columns = message_spec};

/*
 * AFTER INSERT of an outgoing message with an author: the author becomes the
 * owner of the item when it is open and unassigned (method reply), by an
 * UPDATE run as the role that inserted the message (assign.c).
 */
Datum
hubroute_message_reply(PG_FUNCTION_ARGS)
{
	const char *name = "hubroute.message_reply()";
	TriggerData *trigdata = row_trigger_data(fcinfo, name);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTuple	tuple = trigdata->tg_trigtuple;
	const AttrNumber *attnums;
	bool		no_ticket,
				no_conversation,
				no_author,
				no_direction;
	Datum		ticket_id,
				conversation_id,
				author,
				direction;

	require_hubroute_table(rel, 1u << TABLE_MESSAGES, name);
	if (applying_replicated_changes())
		return PointerGetDatum(NULL);
	attnums = table_columns(&message_columns, rel)->attnums;
	ticket_id = heap_getattr(tuple, attnums[MESSAGE_TICKET_ID], desc, &no_ticket);
	conversation_id = heap_getattr(tuple, attnums[MESSAGE_CONVERSATION_ID], desc, &no_conversation);
	author = heap_getattr(tuple, attnums[MESSAGE_AUTHOR], desc, &no_author);
	direction = heap_getattr(tuple, attnums[MESSAGE_DIRECTION], desc, &no_direction);
	if (no_author || no_direction || no_ticket == no_conversation ||
		strcmp(TextDatumGetCString(direction), "outgoing") != 0)
		return PointerGetDatum(NULL);	/* the trigger's WHEN and CHECK keep this from happening */
	assign_reply(no_ticket ? ITEM_CONVERSATION : ITEM_TICKET,
				 DatumGetInt64(no_ticket ? conversation_id : ticket_id), DatumGetInt64(author));
	return PointerGetDatum(NULL);
}
