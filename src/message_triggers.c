/*
 * message_triggers.c: the triggers on hubroute.messages: a reply by an
 * agent makes it the owner of an unassigned item; a visitor's message that
 * asks for a human hands a conversation from the customer agent to one
 * (handoff.c).
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_message_reply);
PG_FUNCTION_INFO_V1(hubroute_message_handoff);

/* The message columns the reply trigger reads. */
enum
{
	MESSAGE_TICKET_ID,
	MESSAGE_CONVERSATION_ID,
	MESSAGE_AUTHOR,
	MESSAGE_DIRECTION,
	MESSAGE_BODY,
	MESSAGE_ASKS_FOR_HUMAN,
	MESSAGE_AGENT_CANNOT_ANSWER,
	MESSAGE_COLUMN_COUNT
};
static const ColumnSpec message_spec[MESSAGE_COLUMN_COUNT] = {
	[MESSAGE_TICKET_ID] = {"ticket_id", INT8OID},
	[MESSAGE_CONVERSATION_ID] = {"conversation_id", INT8OID},
	[MESSAGE_AUTHOR] = {"author_user_id", INT8OID},
	[MESSAGE_DIRECTION] = {"direction", TEXTOID},
	[MESSAGE_BODY] = {"body", TEXTOID},
	[MESSAGE_ASKS_FOR_HUMAN] = {"asks_for_human", BOOLOID},
	[MESSAGE_AGENT_CANNOT_ANSWER] = {"agent_cannot_answer", BOOLOID},
};
static TableColumns message_columns = {.count = MESSAGE_COLUMN_COUNT,.columns = message_spec};

/* A message row, as the triggers read it. */
typedef struct MessageRow
{
	bool		on_one_item;	/* exactly one of ticket_id and conversation_id */
	ItemKind	kind;
	int64		item_id;
	bool		has_author;
	int64		author_id;
	const char *direction;		/* NULL: none */
	bool		has_body;
	Datum		body;			/* text, read when needed */
	bool		asks_for_human;
	bool		agent_cannot_answer;
} MessageRow;

/* Column c of a message tuple as a bool (NULL: false). */
static bool
message_flag(HeapTuple tuple, TupleDesc desc, const AttrNumber *attnums, int c)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnums[c], desc, &isnull);

	return !isnull && DatumGetBool(value);
}

/*
 * Reads the message a row trigger (function name) fired for into message;
 * false when the trigger must do nothing: changes applied as a replica come
 * decided.
 */
static bool
message_read(FunctionCallInfo fcinfo, const char *name, MessageRow *message)
{
	TriggerData *trigdata = row_trigger_data(fcinfo, name);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTuple	tuple = trigdata->tg_trigtuple;
	const AttrNumber *attnums;
	bool		no_ticket,
				no_conversation,
				no_author,
				no_direction,
				no_body;
	Datum		ticket_id,
				conversation_id,
				author,
				direction;

	require_hubroute_table(rel, 1u << TABLE_MESSAGES, name);
	if (applying_replicated_changes())
		return false;
	attnums = table_columns(&message_columns, rel)->attnums;
	ticket_id = heap_getattr(tuple, attnums[MESSAGE_TICKET_ID], desc, &no_ticket);
	conversation_id = heap_getattr(tuple, attnums[MESSAGE_CONVERSATION_ID], desc, &no_conversation);
	author = heap_getattr(tuple, attnums[MESSAGE_AUTHOR], desc, &no_author);
	direction = heap_getattr(tuple, attnums[MESSAGE_DIRECTION], desc, &no_direction);
	message->on_one_item = no_ticket != no_conversation;
	message->kind = no_ticket ? ITEM_CONVERSATION : ITEM_TICKET;
	message->item_id = DatumGetInt64(no_ticket ? conversation_id : ticket_id);
	message->has_author = !no_author;
	message->author_id = no_author ? 0 : DatumGetInt64(author);
	message->direction = no_direction ? NULL : TextDatumGetCString(direction);
	message->body = heap_getattr(tuple, attnums[MESSAGE_BODY], desc, &no_body);
	message->has_body = !no_body;
	message->asks_for_human = message_flag(tuple, desc, attnums, MESSAGE_ASKS_FOR_HUMAN);
	message->agent_cannot_answer = message_flag(tuple, desc, attnums, MESSAGE_AGENT_CANNOT_ANSWER);
	return true;
}

/* Is the message of that direction? */
static bool
message_is(const MessageRow *message, const char *direction)
{
	return message->direction != NULL && strcmp(message->direction, direction) == 0;
}

/*
 * AFTER INSERT of an outgoing message with an author: the author becomes the
 * owner of the item when it is open and unassigned (method reply), by an
 * UPDATE run as the role that inserted the message (assign.c).
 */
Datum
hubroute_message_reply(PG_FUNCTION_ARGS)
{
	MessageRow	message;

	if (!message_read(fcinfo, "hubroute.message_reply()", &message))
		return PointerGetDatum(NULL);
	if (!message.has_author || !message.on_one_item || !message_is(&message, "outgoing"))
		return PointerGetDatum(NULL);	/* the trigger's WHEN and CHECK keep this from happening */
	assign_reply(message.kind, message.item_id, message.author_id);
	return PointerGetDatum(NULL);
}

/*
 * Why an incoming message hands its conversation to a human, or NULL: the
 * customer agent is paused, the visitor asks for a human, the customer
 * agent cannot answer, or the message contains a handoff phrase.
 */
static char *
handoff_reason(const MessageRow *message)
{
	const CustomerAgentSettings *settings = cache_customer_agent();
	const char *phrase;

	if (settings->paused)
		return pstrdup("the customer agent is paused");
	if (message->asks_for_human)
		return pstrdup("the visitor asked for a human");
	if (message->agent_cannot_answer)
		return pstrdup("the customer agent cannot answer");
	phrase = message->has_body ? handoff_phrase_in(TextDatumGetCString(message->body), settings) : NULL;
	return phrase == NULL ? NULL : psprintf("the message contains \"%s\"", phrase);
}

/*
 * AFTER INSERT of an incoming message on a conversation: when it asks for a
 * human (handoff_reason()), the conversation is handed off, if the customer
 * agent handles it, as hubroute's own decision (handoff.c). A restored
 * message hands off nothing.
 */
Datum
hubroute_message_handoff(PG_FUNCTION_ARGS)
{
	MessageRow	message;
	char	   *why;
	bool		has_owner;

	if (!message_read(fcinfo, "hubroute.message_handoff()", &message))
		return PointerGetDatum(NULL);
	if (!message.on_one_item || message.kind != ITEM_CONVERSATION || !message_is(&message, "incoming"))
		return PointerGetDatum(NULL);	/* the trigger's WHEN and CHECK keep this from happening */
	cache_refresh();
	why = handoff_reason(&message);
	if (why == NULL || restore_in_progress())
		return PointerGetDatum(NULL);
	(void) handoff_conversation(message.item_id, why, true, &has_owner);
	return PointerGetDatum(NULL);
}
