/*
 * integrity.c: the references an item makes, kept whole without foreign
 * keys.
 *
 * A foreign key from an item to its channel would make every insert lock
 * the channel's row FOR KEY SHARE; with many sessions inserting into one
 * channel those locks become multixacts on a single row, which cost a
 * quarter of the insert rate on the benchmark machine. So the item tables
 * have no foreign keys. Instead (the locks are rule 3 of locking.c):
 *  - writing an item locks each key it refers to (channel, owner, team,
 *    contact) in share mode to commit, then checks that the row exists: the
 *    first three in the configuration cache, refreshed after the lock, the
 *    contact by its primary key with the latest snapshot. A missing row is
 *    the foreign-key error (23503);
 *  - deleting a channel, user, team or contact, or changing its id, locks
 *    that key exclusively, which waits for the items being written with it,
 *    and then refuses when an item refers to it. Deleting an unreferenced
 *    row stops no one else's inserts. TRUNCATE of such a table waits for
 *    every writer of items instead.
 */
#include "hubroute.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

PG_FUNCTION_INFO_V1(hubroute_item_reference_guard);

/* The tables items refer to, and the item column that refers to each. */
static const struct
{
	HubrouteTable table;
	const char *item_column;
}			references[] = {
	[REFERENCE_CHANNEL] = {TABLE_CHANNELS, "channel_id"},
	[REFERENCE_USER] = {TABLE_USERS, "owner_id"},
	[REFERENCE_TEAM] = {TABLE_TEAMS, "team_id"},
	[REFERENCE_CONTACT] = {TABLE_CONTACTS, "contact_id"},
	[REFERENCE_CONVERSATION] = {TABLE_CONVERSATIONS, "conversation_id"},
};

/* The contact columns routing reads (id first, for its primary key). */
enum
{
	CONTACT_ID,
	CONTACT_OWNER_ID,
	CONTACT_TRACKED,
	CONTACT_COLUMN_COUNT
};
static const ColumnSpec contact_spec[CONTACT_COLUMN_COUNT] = {
	[CONTACT_ID] = {"id", INT8OID},
	[CONTACT_OWNER_ID] = {"owner_id", INT8OID},
	[CONTACT_TRACKED] = {"tracked", BOOLOID},
};
static TableColumns contact_columns = {.count = CONTACT_COLUMN_COUNT,.columns = contact_spec};

/* Raises the foreign-key error for a missing referenced row. */
void
integrity_missing_reference(ItemKind kind, ReferenceKind reference, int64 id)
{
	const char *column = references[reference].item_column;

	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("%s of a %s refers to a missing row: %s %lld",
					column, item_kind_info(kind)->noun, column, (long long) id),
			 errdetail("Key (%s)=(%lld) is not present in table \"%s\".", column, (long long) id,
					   hubroute_table_name(references[reference].table))));
}

/* relation_scan_key() visitor: reads the contact found into arg. */
static bool
read_contact(Relation rel, HeapTuple tuple, void *arg)
{
	ContactInfo *contact = arg;
	bool		isnull;
	Datum		value;

	contact->exists = true;
	value = heap_getattr(tuple, contact_columns.attnums[CONTACT_OWNER_ID], RelationGetDescr(rel), &isnull);
	contact->has_owner = !isnull;
	contact->owner_id = isnull ? 0 : DatumGetInt64(value);
	value = heap_getattr(tuple, contact_columns.attnums[CONTACT_TRACKED], RelationGetDescr(rel), &isnull);
	contact->tracked = !isnull && DatumGetBool(value);
	return true;
}

/*
 * Locks contact_id as referred to (rule 3 of locking.c) and reads it:
 * whether it exists, its owner and tracked flag. Read through the primary
 * key with the latest snapshot, so a contact deleted and committed just now
 * is gone; no SQL, so nothing a DBA attached to contacts runs here.
 */
void
integrity_read_contact(int64 contact_id, ContactInfo *contact)
{
	Relation	rel;
	const TableColumns *columns;
	Snapshot	snapshot;

	memset(contact, 0, sizeof(*contact));
	lock_reference(REFERENCE_CONTACT, contact_id);
	rel = open_to_read(hubroute_relid(TABLE_CONTACTS));
	columns = table_columns(&contact_columns, rel);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	(void) relation_scan_key(rel, columns->attnums[CONTACT_ID], columns->id_index, contact_id, snapshot,
							 read_contact, contact);
	UnregisterSnapshot(snapshot);
	table_close(rel, NoLock);
}

/*
 * Locks the keys row refers to among those asked for (rule 3 of
 * locking.c), before the configuration cache is refreshed and checked.
 */
void
integrity_lock_references(const ItemRow *row, bool channel, bool owner, bool team)
{
	if (channel && row->has_channel)
		lock_reference(REFERENCE_CHANNEL, row->channel_id);
	if (owner && row->has_owner)
		lock_reference(REFERENCE_USER, row->owner_id);
	if (team && row->has_team)
		lock_reference(REFERENCE_TEAM, row->team_id);
}

/*
 * The row's owner, team and contact (those asked for) must exist; its
 * channel was found already. Owner and team were locked, and the cache
 * refreshed after; the contact is locked and read here.
 */
void
integrity_check_references(ItemKind kind, const ItemRow *row, bool owner, bool team, bool contact)
{
	if (owner && row->has_owner && cache_user(row->owner_id) == NULL)
		integrity_missing_reference(kind, REFERENCE_USER, row->owner_id);
	if (team && row->has_team && !cache_team_exists(row->team_id))
		integrity_missing_reference(kind, REFERENCE_TEAM, row->team_id);
	if (contact && row->has_contact)
	{
		ContactInfo info;

		integrity_read_contact(row->contact_id, &info);
		if (!info.exists)
			integrity_missing_reference(kind, REFERENCE_CONTACT, row->contact_id);
	}
}

/*
 * A new ticket's conversation_id must name a conversation, as of the latest
 * snapshot. It records where the ticket came from: neither a later change
 * of it nor deleting that conversation is checked.
 */
void
integrity_check_conversation(const ItemRow *row)
{
	if (row->has_conversation && !hubroute_has_row(TABLE_CONVERSATIONS, "id", row->conversation_id))
		integrity_missing_reference(ITEM_TICKET, REFERENCE_CONVERSATION, row->conversation_id);
}

/*
 * Does any item have column = id (or, with any, any value)? Read with the
 * latest snapshot, as internal SQL; *kind and *item_id tell which item.
 */
static bool
items_refer_to(const char *column, int64 id, bool any, ItemKind *kind, int64 *item_id)
{
	InternalSql internal;
	bool		found = false;

	internal_sql_begin(&internal, INTERNAL_READER);
	for (int k = ITEM_TICKET; k <= ITEM_CONVERSATION && !found; k++)
	{
		char	   *sql = psprintf("SELECT i.id FROM hubroute.%s i WHERE i.%s %s ORDER BY i.id LIMIT 1",
								   item_kind_info(k)->table, quote_identifier(column),
								   any ? "IS NOT NULL" : EQ "$1");
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {Int64GetDatum(id)};
		bool		isnull;

		if (spi_run_latest(spi_prepare_once(sql, any ? 0 : 1, argtypes), values, NULL, 1) == 1)
		{
			found = true;
			*kind = k;
			*item_id = spi_get_int64(0, 1, &isnull);
		}
	}
	internal_sql_end(&internal);
	return found;
}

/* Which referenced table rel is; an error for any other table. */
static ReferenceKind
reference_kind_of(Relation rel)
{
	for (int r = 0; r <= REFERENCE_CONTACT; r++)	/* not a ticket's conversation */
		if (hubroute_rel_is(rel, references[r].table))
			return (ReferenceKind) r;
	require_hubroute_table(rel, 0, "hubroute.item_reference_guard()");
	pg_unreachable();
}

/* The id column of the row a guard fired for. */
static int64
row_id(Relation rel, HeapTuple tuple)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, relation_column(RelationGetDescr(rel),
															RelationGetRelationName(rel), "id", INT8OID),
									 RelationGetDescr(rel), &isnull);

	return isnull ? 0 : DatumGetInt64(value);
}

/*
 * BEFORE DELETE OR UPDATE OF id FOR EACH ROW, and BEFORE TRUNCATE, on
 * channels, users, teams and contacts, with the item column that refers to
 * them as argument: refuses to take away a row that an item refers to.
 */
Datum
hubroute_item_reference_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	ReferenceKind reference;
	const char *column;
	bool		truncate;
	int64		id = 0;
	HeapTuple	result = NULL;
	ItemKind	kind;
	int64		item_id;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("hubroute.item_reference_guard() must be called as a trigger")));
	reference = reference_kind_of(trigdata->tg_relation);
	column = references[reference].item_column;
	if (trigdata->tg_trigger->tgnargs != 1 || strcmp(trigdata->tg_trigger->tgargs[0], column) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("hubroute.item_reference_guard() on hubroute.%s takes the argument '%s'",
						RelationGetRelationName(trigdata->tg_relation), column)));
	truncate = TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event);
	if (!truncate)
	{
		id = row_id(trigdata->tg_relation, trigdata->tg_trigtuple);
		result = trigdata->tg_trigtuple;
	}
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		result = trigdata->tg_newtuple;
		if (row_id(trigdata->tg_relation, result) == id)
			return PointerGetDatum(result);
	}
	if (applying_replicated_changes())
		return PointerGetDatum(result); /* the publisher checked it */
	if (truncate)
		lock_item_tables();
	else
		lock_reference_removal(reference, id);
	if (items_refer_to(column, id, truncate, &kind, &item_id))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("%s on table \"%s\" would leave %s %lld without its %s",
						truncate ? "truncate" : TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "update" : "delete",
						RelationGetRelationName(trigdata->tg_relation), item_kind_info(kind)->noun,
						(long long) item_id, column),
				 truncate ? 0 : errdetail("Key (id)=(%lld) is still referenced from table \"%s\".",
										  (long long) id, item_kind_info(kind)->table)));
	return PointerGetDatum(result);
}

/*
 * The cached channel of channel_id, with its rule, for an item of kind. A
 * missing channel, or a channel of the wrong workspace kind, is an
 * integrity error.
 */
ChannelInfo *
integrity_item_channel(int64 channel_id, ItemKind kind)
{
	const ItemKindInfo *info = item_kind_info(kind);
	ChannelInfo *channel = cache_channel(channel_id);

	if (channel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("channel %lld does not exist", (long long) channel_id),
				 errdetail("Every %s must come in on a channel of hubroute.channels.", info->noun)));
	if (strcmp(channel->workspace_kind, info->workspace_kind) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("a %s must come in on %s channel", info->noun, info->workspace_noun),
				 errdetail("Channel %lld belongs to a workspace of kind \"%s\".",
						   (long long) channel_id, channel->workspace_kind),
				 errhint("Tickets go to help-desk channels, conversations to inbox channels.")));
	return channel;
}
