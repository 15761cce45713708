/*
 * shared_state.c: the routing state every backend of a database shares.
 *
 * Routing compares open counts; counting rows per insert would grow with the
 * tables, and keeping counts in table rows makes every routing transaction
 * hold a row lock to commit. So the counts live in shared memory: per
 * database, one UserLoad slot per user (open tickets, open conversations,
 * time of the last assignment) and one Rotation per round-robin channel.
 * counters.c keeps them equal to the tables; this file only finds them.
 *
 * Shared memory without shared_preload_libraries: the fixed part is a small
 * anchor (ShmemInitStruct, which the server's spare shared memory covers, as
 * for pg_prewarm's autoprewarm) holding the handles of a dynamic shared area
 * (DSA) created on first use. Slots are allocated there once and never
 * freed, so a backend may keep pointers to them for its whole life.
 */
#include "hubroute.h"

#include "lib/dshash.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/dsa.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

/* The fixed part, in the main shared memory segment. */
typedef struct SharedAnchor
{
	int			tranche;		/* LWLock tranche of everything below */
	dsa_handle	area;
	dshash_table_handle databases;
} SharedAnchor;

/* databases: one entry per database that routed. */
typedef struct DatabaseEntry
{
	Oid			database;
	dsa_pointer state;			/* DatabaseState */
} DatabaseEntry;

/* users and channels: an id and where its slot is. */
typedef struct SlotEntry
{
	int64		id;
	dsa_pointer slot;
} SlotEntry;

static const dshash_parameters database_params = {
	sizeof(Oid), sizeof(DatabaseEntry), dshash_memcmp, dshash_memhash, 0
};
static const dshash_parameters slot_params = {
	sizeof(int64), sizeof(SlotEntry), dshash_memcmp, dshash_memhash, 0
};

static shmem_request_hook_type previous_shmem_request_hook = NULL;

/* This backend's view of it. */
static dsa_area *area = NULL;
static int	tranche = 0;
static DatabaseState *database_state = NULL;
static dshash_table *user_slots = NULL;
static dshash_table *channel_slots = NULL;
static HTAB *local_user_slots = NULL;	/* user id -> UserLoad *, saves a dshash probe */

/* Reserves the anchor when loaded by shared_preload_libraries. */
static void
shared_state_shmem_request(void)
{
	if (previous_shmem_request_hook)
		previous_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(SharedAnchor)));
}

/* Called from _PG_init. */
void
shared_state_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	previous_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = shared_state_shmem_request;
}

/* dshash parameters with this server's tranche. */
static dshash_parameters
with_tranche(const dshash_parameters *params)
{
	dshash_parameters result = *params;

	result.tranche_id = tranche;
	return result;
}

/* Attaches to (or creates) the anchor, the area and the database map. */
static dshash_table *
attach_area(void)
{
	SharedAnchor *anchor;
	bool		found;
	dshash_table *databases;
	dshash_parameters params;
	MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	anchor = ShmemInitStruct("hubroute", sizeof(SharedAnchor), &found);
	if (!found)
	{
		anchor->tranche = LWLockNewTrancheId();
		anchor->area = DSM_HANDLE_INVALID;
	}
	tranche = anchor->tranche;
	LWLockRegisterTranche(tranche, "hubroute");
	params = with_tranche(&database_params);
	if (anchor->area == DSM_HANDLE_INVALID)
	{
		area = dsa_create(tranche);
		dsa_pin(area);
		databases = dshash_create(area, &params, NULL);
		anchor->databases = dshash_get_hash_table_handle(databases);
		anchor->area = dsa_get_handle(area);
	}
	else
	{
		area = dsa_attach(anchor->area);
		databases = dshash_attach(area, &params, anchor->databases, NULL);
	}
	dsa_pin_mapping(area);
	LWLockRelease(AddinShmemInitLock);
	MemoryContextSwitchTo(old);
	return databases;
}

/* A new database state: empty, not loaded. */
static dsa_pointer
database_state_create(void)
{
	dsa_pointer pointer = dsa_allocate0(area, sizeof(DatabaseState));
	DatabaseState *state = dsa_get_address(area, pointer);
	dshash_parameters params = with_tranche(&slot_params);
	dshash_table *table;

	LWLockInitialize(&state->lock, tranche);
	state->loaded = false;
	table = dshash_create(area, &params, NULL);
	state->users = dshash_get_hash_table_handle(table);
	dshash_detach(table);
	table = dshash_create(area, &params, NULL);
	state->channels = dshash_get_hash_table_handle(table);
	dshash_detach(table);
	return pointer;
}

/* This database's shared state, attached on first use in the backend. */
DatabaseState *
shared_state(void)
{
	dshash_table *databases;
	DatabaseEntry *entry;
	bool		found;
	dshash_parameters params;
	MemoryContext old;

	if (database_state != NULL)
		return database_state;
	databases = attach_area();
	entry = dshash_find_or_insert(databases, &MyDatabaseId, &found);
	if (!found)
		entry->state = database_state_create();
	database_state = dsa_get_address(area, entry->state);
	dshash_release_lock(databases, entry);
	dshash_detach(databases);
	old = MemoryContextSwitchTo(TopMemoryContext);
	params = with_tranche(&slot_params);
	user_slots = dshash_attach(area, &params, database_state->users, NULL);
	channel_slots = dshash_attach(area, &params, database_state->channels, NULL);
	MemoryContextSwitchTo(old);
	return database_state;
}

/* A new user's slot: no open items, never assigned. */
static void
user_load_init(void *slot)
{
	((UserLoad *) slot)->last_assigned_at = DT_NOBEGIN;
}

/* A new channel's rotation: not started. */
static void
rotation_init(void *slot)
{
	((Rotation *) slot)->started = false;
}

/*
 * The slot of id in table; on first use it is allocated, its first field
 * set to id and init run, before any other backend can see it.
 */
static void *
find_slot(dshash_table *table, int64 id, Size size, void (*init) (void *))
{
	bool		found;
	SlotEntry  *entry = dshash_find_or_insert(table, &id, &found);
	void	   *slot;

	if (!found)
	{
		entry->slot = dsa_allocate0(area, size);
		*(int64 *) dsa_get_address(area, entry->slot) = id;
		init(dsa_get_address(area, entry->slot));
	}
	slot = dsa_get_address(area, entry->slot);
	dshash_release_lock(table, entry);
	return slot;
}

/* The load slot of user_id in this database. */
UserLoad *
shared_user_load(int64 user_id)
{
	struct
	{
		int64		user_id;
		UserLoad   *slot;
	}		   *local;
	bool		found;

	(void) shared_state();
	if (local_user_slots == NULL)
	{
		HASHCTL		ctl = {.keysize = sizeof(int64),.entrysize = sizeof(*local)};

		local_user_slots = hash_create("hubroute user slots", 256, &ctl, HASH_ELEM | HASH_BLOBS);
	}
	local = hash_search(local_user_slots, &user_id, HASH_ENTER, &found);
	if (!found)
		local->slot = find_slot(user_slots, user_id, sizeof(UserLoad), user_load_init);
	return local->slot;
}

/* The round-robin rotation of channel_id in this database. */
Rotation *
shared_rotation(int64 channel_id)
{
	(void) shared_state();
	return find_slot(channel_slots, channel_id, sizeof(Rotation), rotation_init);
}

/*
 * Empties every user slot and stops every rotation, before a reload from the
 * tables (the caller holds the state's lock exclusively).
 */
void
shared_state_reset(void)
{
	dshash_seq_status scan;
	SlotEntry  *entry;

	(void) shared_state();
	dshash_seq_init(&scan, user_slots, false);
	while ((entry = dshash_seq_next(&scan)) != NULL)
	{
		UserLoad   *load = dsa_get_address(area, entry->slot);

		load->open[ITEM_TICKET] = load->open[ITEM_CONVERSATION] = 0;
		load->last_assigned_at = DT_NOBEGIN;
	}
	dshash_seq_term(&scan);
	dshash_seq_init(&scan, channel_slots, false);
	while ((entry = dshash_seq_next(&scan)) != NULL)
		rotation_init(dsa_get_address(area, entry->slot));
	dshash_seq_term(&scan);
}

/*
 * A copy of every user slot, palloc'd, for hubroute.routing_load() (the
 * caller holds the state's lock).
 */
UserLoad *
shared_user_loads(int *count)
{
	dshash_seq_status scan;
	SlotEntry  *entry;
	int			allocated = 64;
	UserLoad   *loads = palloc(sizeof(UserLoad) * allocated);

	(void) shared_state();
	*count = 0;
	dshash_seq_init(&scan, user_slots, false);
	while ((entry = dshash_seq_next(&scan)) != NULL)
	{
		if (*count == allocated)
			loads = repalloc(loads, sizeof(UserLoad) * (allocated *= 2));
		loads[(*count)++] = *(UserLoad *) dsa_get_address(area, entry->slot);
	}
	dshash_seq_term(&scan);
	return loads;
}
