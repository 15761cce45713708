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

/* Column c of a message tuple as a bool (NULL: false). */
static bool
message_flag(HeapTuple tuple, TupleDesc desc, const AttrNumber *attnums, int c)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnums[c], desc, &isnull);

	return !isnull && DatumGetBool(value);
}

/*
 * Why an incoming message hands its conversation to a human, or NULL: the
 * customer agent is paused, the visitor asks for a human, the customer
 * agent cannot answer, or the message contains a handoff phrase.
 */
static char *
handoff_reason(HeapTuple tuple, TupleDesc desc, const AttrNumber *attnums)
{
	const CustomerAgentSettings *settings = cache_customer_agent();
	bool		no_body;
	Datum		body = heap_getattr(tuple, attnums[MESSAGE_BODY], desc, &no_body);
	const char *phrase;

	if (settings->paused)
		return pstrdup("the customer agent is paused");
	if (message_flag(tuple, desc, attnums, MESSAGE_ASKS_FOR_HUMAN))
		return pstrdup("the visitor asked for a human");
	if (message_flag(tuple, desc, attnums, MESSAGE_AGENT_CANNOT_ANSWER))
		return pstrdup("the customer agent cannot answer");
	phrase = no_body ? NULL : handoff_phrase_in(TextDatumGetCString(body), settings);
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
	const char *name = "hubroute.message_handoff()";
	TriggerData *trigdata = row_trigger_data(fcinfo, name);
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTuple	tuple = trigdata->tg_trigtuple;
	const AttrNumber *attnums;
	bool		no_conversation,
				no_direction,
				has_owner;
	Datum		conversation_id,
				direction;
	char	   *why;

	require_hubroute_table(rel, 1u << TABLE_MESSAGES, name);
	if (applying_replicated_changes())
		return PointerGetDatum(NULL);
	attnums = table_columns(&message_columns, rel)->attnums;
	conversation_id = heap_getattr(tuple, attnums[MESSAGE_CONVERSATION_ID], desc, &no_conversation);
	direction = heap_getattr(tuple, attnums[MESSAGE_DIRECTION], desc, &no_direction);
	if (no_conversation || no_direction || strcmp(TextDatumGetCString(direction), "incoming") != 0)
		return PointerGetDatum(NULL);	/* the trigger's WHEN keeps this from happening */
	cache_refresh();
	why = handoff_reason(tuple, desc, attnums);
	if (why == NULL || restore_in_progress())
		return PointerGetDatum(NULL);
	(void) handoff_conversation(DatumGetInt64(conversation_id), why, true, &has_owner);
	return PointerGetDatum(NULL);
}
