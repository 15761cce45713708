/*
 * integrity.c: the references an item makes, checked without foreign keys.
 *
 * A foreign key from an item to its channel would make every insert lock
 * the channel's row FOR KEY SHARE; with many sessions inserting into one
 * channel those locks become multixacts on a single row, which cost a
 * quarter of the insert rate on the benchmark machine. So the item tables
 * have no foreign keys. Instead:
 *  - inserting or updating an item checks that its channel, owner, team and
 *    contact exist (the first three from the configuration cache), with the
 *    SQLSTATE a foreign key would raise (23503);
 *  - deleting a channel, user, team or contact, or changing its id, first
 *    waits for every transaction writing items to finish and holds new ones
 *    off (SHARE lock on both item tables), then refuses when an item still
 *    refers to it. Nothing can slip in between, as with a foreign key.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(hubroute_item_reference_guard);

static SPIPlanPtr contact_plan;

/* Raises the foreign-key error for a missing referenced row. */
void
integrity_missing_reference(ItemKind kind, const char *column, int64 id, const char *table)
{
	ereport(ERROR,
			(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
			 errmsg("%s of a %s refers to a missing row: %s %lld",
					column, item_kind_info(kind)->noun, column, (long long) id),
			 errdetail("Key (%s)=(%lld) is not present in table \"%s\".", column, (long long) id, table)));
}

/*
 * Reads contact_id: whether it exists, its owner and tracked flag. With the
 * latest snapshot, so a contact deleted and committed just now is gone.
 * Contacts change too often to cache: the reference check and contact-owner
 * routing both read them here.
 */
void
integrity_read_contact(int64 contact_id, ContactInfo *contact)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(contact_id)};
	OwnerSwitch owner;
	bool		isnull;

	memset(contact, 0, sizeof(*contact));
	SPI_connect();
	owner_begin(&owner);
	if (spi_run_latest(spi_plan(&contact_plan,
								"SELECT c.owner_id, c.tracked FROM hubroute.contacts c"
								" WHERE c.id" EQ "$1", 1, argtypes),
					   values, NULL, 1) == 1)
	{
		contact->exists = true;
		contact->owner_id = spi_get_int64(0, 1, &isnull);
		contact->has_owner = !isnull;
		contact->tracked = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
													  SPI_tuptable->tupdesc, 2, &isnull));
	}
	owner_end(&owner);
	SPI_finish();
}

/*
 * The row's owner, team and contact (those asked for) must exist; its
 * channel was found already.
 */
void
integrity_check_references(ItemKind kind, const ItemRow *row, bool check_owner, bool check_team,
						   bool check_contact)
{
	if (check_owner && row->has_owner && cache_user(row->owner_id) == NULL)
		integrity_missing_reference(kind, "owner_id", row->owner_id, "users");
	if (check_team && row->has_team && !cache_team_exists(row->team_id))
		integrity_missing_reference(kind, "team_id", row->team_id, "teams");
	if (check_contact && row->has_contact)
	{
		ContactInfo contact;

		integrity_read_contact(row->contact_id, &contact);
		if (!contact.exists)
			integrity_missing_reference(kind, "contact_id", row->contact_id, "contacts");
	}
}

/*
 * Does any item have column = id (or, for id NULL, any value)? Read with the
 * latest snapshot, as the owner; *kind and *item_id tell which item.
 */
static bool
items_refer_to(const char *column, Datum id, bool any, ItemKind *kind, int64 *item_id)
{
	OwnerSwitch owner;
	bool		found = false;

	SPI_connect();
	owner_begin(&owner);
	for (int k = ITEM_TICKET; k <= ITEM_CONVERSATION && !found; k++)
	{
		char	   *sql = psprintf("SELECT i.id FROM hubroute.%s i WHERE %s ORDER BY i.id LIMIT 1",
								   item_kind_info(k)->table,
								   psprintf(any ? "i.%s IS NOT NULL" : "i.%s" EQ "$1", column));
		Oid			argtypes[1] = {INT8OID};
		Datum		values[1] = {id};
		bool		isnull;

		if (spi_run_latest(spi_prepare_once(sql, any ? 0 : 1, argtypes), values, NULL, 1) == 1)
		{
			found = true;
			*kind = k;
			*item_id = spi_get_int64(0, 1, &isnull);
		}
	}
	owner_end(&owner);
	SPI_finish();
	return found;
}

/* The id column of the row a guard fired for. */
static Datum
row_id(Relation rel, HeapTuple tuple)
{
	bool		isnull;

	return heap_getattr(tuple, SPI_fnumber(RelationGetDescr(rel), "id"), RelationGetDescr(rel), &isnull);
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
	Relation	rel;
	bool		truncate;
	Datum		id = (Datum) 0;
	HeapTuple	result = NULL;
	ItemKind	kind;
	int64		item_id;

	if (!CALLED_AS_TRIGGER(fcinfo) || trigdata->tg_trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("hubroute.item_reference_guard() must be called as a trigger with one argument")));
	rel = trigdata->tg_relation;
	truncate = TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event);
	if (!truncate)
	{
		id = row_id(rel, trigdata->tg_trigtuple);
		result = trigdata->tg_trigtuple;
	}
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		result = trigdata->tg_newtuple;
		if (DatumGetInt64(row_id(rel, result)) == DatumGetInt64(id))
			return PointerGetDatum(result);
	}
	LockRelationOid(get_relname_relid("tickets", RelationGetNamespace(rel)), ShareLock);
	LockRelationOid(get_relname_relid("conversations", RelationGetNamespace(rel)), ShareLock);
	if (items_refer_to(trigdata->tg_trigger->tgargs[0], id, truncate, &kind, &item_id))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("%s on table \"%s\" would leave %s %lld without its %s",
						truncate ? "truncate" : TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "update" : "delete",
						RelationGetRelationName(rel), item_kind_info(kind)->noun,
						(long long) item_id, trigdata->tg_trigger->tgargs[0]),
				 truncate ? 0 : errdetail("Key (id)=(%lld) is still referenced from table \"%s\".",
										  (long long) DatumGetInt64(id), item_kind_info(kind)->table)));
	return PointerGetDatum(result);
}
