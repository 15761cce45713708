/*
 * shared_state.c: the routing state every backend of a database shares.
 *
 * Routing compares open counts; counting rows per insert would grow with the
 * tables, and keeping counts in table rows makes every routing transaction
 * hold a row lock to commit. So the counts live in shared memory: per
 * database, one UserLoad slot per user that routing needs (open tickets,
 * open conversations, time of the last assignment) and one Rotation per
 * round-robin channel. counters.c keeps them equal to the tables; this file
 * finds them, and keeps what they take bounded.
 *
 * Shared memory without shared_preload_libraries: the fixed part is a small
 * anchor (ShmemInitStruct, which the server's spare shared memory covers, as
 * for pg_prewarm's autoprewarm) holding the handles of a dynamic shared area
 * (DSA) created on first use.
 *
 * What is kept, and when it goes:
 *  - a slot exists for a user only once routing needs it: a pool member, a
 *    contact owner or fallback user routed to, an owner whose count changes,
 *    or a user the tables give open items or a logged assignment when the
 *    counts are loaded; any other user has no items and was never assigned,
 *    which is what a new slot says. A database of many users routes with
 *    slots for its pools alone;
 *  - every load of the counts (first use after a start, after
 *    rebuild_counters() or a change to the log, after the extension was
 *    created again) frees all slots and rotations and starts afresh, so the
 *    slots of deleted users and channels go then. A load happens only while
 *    no transaction writing items is in flight (locking.c, rule 4), so no
 *    decision holds a pointer into them; other backends drop theirs when
 *    they see the database's generation move on (shared_state());
 *  - the state of a database that was dropped is freed by the next backend
 *    of any database that attaches; no backend can be connected to it.
 * hubroute.shared_memory() shows what is in use.
 */
#include "hubroute.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/dshash.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/dsa.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(hubroute_shared_memory);

/* The fixed part, in the main shared memory segment. */
typedef struct SharedAnchor
{
	int			tranche;		/* LWLock tranche of everything below */
	dsa_handle	area;
	dshash_table_handle databases;
	pg_atomic_uint64 bytes;		/* states, slots and rotations allocated, in bytes */
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
static SharedAnchor *anchor = NULL;
static dsa_area *area = NULL;
static int	tranche = 0;
static DatabaseState *database_state = NULL;
static uint64 local_generation;	/* of the tables and slots below */
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

/* Allocates size bytes of the area, zeroed, and counts them. */
static dsa_pointer
area_allocate(Size size)
{
	dsa_pointer pointer = dsa_allocate0(area, size);

	pg_atomic_add_fetch_u64(&anchor->bytes, size);
	return pointer;
}

/* Frees what area_allocate() gave, of size bytes. */
static void
area_free(dsa_pointer pointer, Size size)
{
	dsa_free(area, pointer);
	pg_atomic_sub_fetch_u64(&anchor->bytes, size);
}

/* Frees every slot of table, of size bytes each, and the table itself. */
static void
slot_table_destroy(dshash_table_handle handle, Size size)
{
	dshash_parameters params = with_tranche(&slot_params);
	dshash_table *table = dshash_attach(area, &params, handle, NULL);
	dshash_seq_status scan;
	SlotEntry  *entry;

	dshash_seq_init(&scan, table, true);
	while ((entry = dshash_seq_next(&scan)) != NULL)
		area_free(entry->slot, size);
	dshash_seq_term(&scan);
	dshash_destroy(table);
}

/* A new, empty slot table; returns its handle. */
static dshash_table_handle
slot_table_create(void)
{
	dshash_parameters params = with_tranche(&slot_params);
	dshash_table *table = dshash_create(area, &params, NULL);
	dshash_table_handle handle = dshash_get_hash_table_handle(table);

	dshash_detach(table);
	return handle;
}

/* Frees the state of a database that was dropped (no backend is connected to it). */
static void
database_state_free(dsa_pointer pointer)
{
	DatabaseState *state = dsa_get_address(area, pointer);

	slot_table_destroy(state->users, sizeof(UserLoad));
	slot_table_destroy(state->channels, sizeof(Rotation));
	area_free(pointer, sizeof(DatabaseState));
}

/* Frees the states of databases that no longer exist. */
static void
sweep_dropped_databases(dshash_table *databases)
{
	dshash_seq_status scan;
	DatabaseEntry *entry;

	dshash_seq_init(&scan, databases, true);
	while ((entry = dshash_seq_next(&scan)) != NULL)
	{
		if (entry->database == MyDatabaseId ||
			SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(entry->database)))
			continue;
		database_state_free(entry->state);
		dshash_delete_current(&scan);
	}
	dshash_seq_term(&scan);
}

/*
 * Attaches to (or creates) the anchor, the area and the database map; the
 * caller detaches the map.
 */
static dshash_table *
attach_area(void)
{
	bool		found;
	dshash_table *databases;
	dshash_parameters params;
	MemoryContext old;

	if (area != NULL)
	{
		params = with_tranche(&database_params);
		return dshash_attach(area, &params, anchor->databases, NULL);
	}
	old = MemoryContextSwitchTo(TopMemoryContext);
	lock_shared_memory_setup();
	anchor = ShmemInitStruct("hubroute", sizeof(SharedAnchor), &found);
	if (!found)
	{
		anchor->tranche = LWLockNewTrancheId();
		anchor->area = DSM_HANDLE_INVALID;
		pg_atomic_init_u64(&anchor->bytes, 0);
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
	unlock_shared_memory_setup();
	MemoryContextSwitchTo(old);
	return databases;
}

/* A new database state: empty, not loaded. */
static dsa_pointer
database_state_create(void)
{
	dsa_pointer pointer = area_allocate(sizeof(DatabaseState));
	DatabaseState *state = dsa_get_address(area, pointer);

	LWLockInitialize(&state->lock, tranche);
	state->loaded = false;
	state->generation = 1;
	state->users = slot_table_create();
	state->channels = slot_table_create();
	pg_atomic_init_u64(&state->user_count, 0);
	pg_atomic_init_u64(&state->rotation_count, 0);
	state->changes = 0;
	pg_atomic_init_u64(&state->availability_changes, 0);
	pg_atomic_init_u64(&state->queue_entries, 0);
	pg_atomic_init_u32(&state->queues_seen, 0);
	return pointer;
}

/*
 * Attaches this backend to the database's current slot tables, dropping
 * every pointer it kept into the old ones (the cached configuration's too).
 */
static void
attach_generation(void)
{
	dshash_parameters params = with_tranche(&slot_params);
	MemoryContext old;

	if (user_slots != NULL)
		dshash_detach(user_slots);
	if (channel_slots != NULL)
		dshash_detach(channel_slots);
	if (local_user_slots != NULL)
		hash_destroy(local_user_slots);
	local_user_slots = NULL;
	old = MemoryContextSwitchTo(TopMemoryContext);
	decision_lock_shared();
	user_slots = dshash_attach(area, &params, database_state->users, NULL);
	channel_slots = dshash_attach(area, &params, database_state->channels, NULL);
	local_generation = database_state->generation;
	decision_unlock();
	MemoryContextSwitchTo(old);
	cache_forget_slots();
}

/*
 * This database's shared state, attached on first use in the backend (which
 * also frees the states of dropped databases), and its slot tables current.
 */
DatabaseState *
shared_state(void)
{
	dshash_table *databases;
	DatabaseEntry *entry;
	bool		found;

	if (database_state == NULL)
	{
		databases = attach_area();
		sweep_dropped_databases(databases);
		entry = dshash_find_or_insert(databases, &MyDatabaseId, &found);
		if (!found)
			entry->state = database_state_create();
		database_state = dsa_get_address(area, entry->state);
		dshash_release_lock(databases, entry);
		dshash_detach(databases);
	}
	if (user_slots == NULL || local_generation != database_state->generation)
		attach_generation();
	return database_state;
}

/*
 * The decision lock of this database's state, attaching on first use but
 * not following a new generation (which takes that lock itself).
 */
LWLock *
shared_state_lock(void)
{
	if (database_state == NULL)
		(void) shared_state();
	return &database_state->lock;
}

/* A new user's slot: no open items, never assigned. */
static void
user_load_init(void *slot)
{
	((UserLoad *) slot)->last_assigned_at = DT_NOBEGIN;
	((UserLoad *) slot)->committed_assigned_at = DT_NOBEGIN;
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
find_slot(dshash_table *table, int64 id, Size size, void (*init) (void *), pg_atomic_uint64 *count)
{
	bool		found;
	SlotEntry  *entry = dshash_find_or_insert(table, &id, &found);
	void	   *slot;

	if (!found)
	{
		entry->slot = area_allocate(size);
		*(int64 *) dsa_get_address(area, entry->slot) = id;
		init(dsa_get_address(area, entry->slot));
		pg_atomic_add_fetch_u64(count, 1);
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
		local->slot = find_slot(user_slots, user_id, sizeof(UserLoad), user_load_init,
								&database_state->user_count);
	return local->slot;
}

/* The round-robin rotation of channel_id in this database. */
Rotation *
shared_rotation(int64 channel_id)
{
	(void) shared_state();
	return find_slot(channel_slots, channel_id, sizeof(Rotation), rotation_init,
					 &database_state->rotation_count);
}

/*
 * Frees every user slot and rotation of this database and starts new
 * tables, before a load from the tables (the caller holds the load lock,
 * and no transaction writing items is in flight): the new generation tells
 * every backend to drop its pointers.
 */
void
shared_state_reset(void)
{
	DatabaseState *state = shared_state();
	dshash_table_handle old_users = state->users;
	dshash_table_handle old_channels = state->channels;

	decision_lock();
	state->users = slot_table_create();
	state->channels = slot_table_create();
	pg_atomic_write_u64(&state->user_count, 0);
	pg_atomic_write_u64(&state->rotation_count, 0);
	state->generation++;
	decision_unlock();
	dshash_detach(user_slots);
	dshash_detach(channel_slots);
	user_slots = channel_slots = NULL;
	slot_table_destroy(old_users, sizeof(UserLoad));
	slot_table_destroy(old_channels, sizeof(Rotation));
	dsa_trim(area);
	(void) shared_state();
}

/*
 * Notes that user_id's slot changed, in the ring that pool indexes replay
 * (pool_index.c; the caller holds the decision lock).
 */
void
shared_note_change(int64 user_id)
{
	database_state->changes++;
	database_state->change_ring[database_state->changes % lengthof(database_state->change_ring)] = user_id;
}

/* How many changes were noted so far (the caller holds the decision lock). */
uint64
shared_changes_seen(void)
{
	return database_state->changes;
}

/*
 * The generation of this database's slots, as attached (the caller holds
 * the decision lock, so it cannot move on).
 */
uint64
shared_generation(void)
{
	return database_state->generation;
}

/*
 * Are the changes after seen still in the ring? Then *first is the first of
 * them (the caller holds the decision lock).
 */
bool
shared_changes_since(uint64 seen, uint64 *first)
{
	if (database_state->changes - seen > lengthof(database_state->change_ring))
		return false;
	*first = seen + 1;
	return true;
}

/* The user of change seq, still in the ring (the caller holds the decision lock). */
int64
shared_change(uint64 seq)
{
	return database_state->change_ring[seq % lengthof(database_state->change_ring)];
}

/*
 * Publishes a committed change of a user's availability to every backend's
 * cached configuration (config_changes.c). Called at commit, where nothing
 * may fail: the caller attached the state before (shared_state_lock()).
 */
void
shared_publish_availability(AvailabilityChange change)
{
	uint64		next;

	decision_lock();
	next = pg_atomic_read_u64(&database_state->availability_changes) + 1;
	database_state->availability_ring[next % lengthof(database_state->availability_ring)] = change;
	pg_atomic_write_u64(&database_state->availability_changes, next);
	decision_unlock();
}

/*
 * How many times an item came to wait in a queue so far (no lock needed): a
 * queue found empty stays empty until this moves (drain.c).
 */
uint64
shared_queue_entries(void)
{
	return pg_atomic_read_u64(&shared_state()->queue_entries);
}

/* An item came to wait in a queue, or such a transaction committed (drain.c). */
void
shared_note_queue_entry(void)
{
	(void) pg_atomic_fetch_add_u64(&shared_state()->queue_entries, 1);
}

/*
 * Has any channel of this database had a queue since the server started?
 * Until one has, a change to the configuration drains nothing (drain.c).
 */
bool
shared_queues_seen(void)
{
	return pg_atomic_read_u32(&shared_state()->queues_seen) != 0;
}

/* A channel has a queue (written, loaded or cached): see shared_queues_seen(). */
void
shared_note_queues(void)
{
	pg_atomic_write_u32(&shared_state()->queues_seen, 1);
}

/* How many availability changes were published so far (no lock needed). */
uint64
shared_availability_seen(void)
{
	return pg_atomic_read_u64(&shared_state()->availability_changes);
}

/*
 * Are the availability changes after seen still in the ring? Then they are
 * *first to *last (the caller holds the decision lock, shared).
 */
bool
shared_availability_since(uint64 seen, uint64 *first, uint64 *last)
{
	*last = pg_atomic_read_u64(&database_state->availability_changes);
	*first = seen + 1;
	return *last - seen <= lengthof(database_state->availability_ring);
}

/* Availability change seq, still in the ring (the caller holds the decision lock). */
AvailabilityChange
shared_availability(uint64 seq)
{
	return database_state->availability_ring[seq % lengthof(database_state->availability_ring)];
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

/*
 * hubroute.shared_memory(): what hubroute keeps in shared memory, over all
 * databases: how many have a state, their user slots and rotations, and
 * the bytes these take (the hash tables that find them come on top, in
 * proportion).
 */
Datum
hubroute_shared_memory(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	dshash_table *databases;
	dshash_seq_status scan;
	DatabaseEntry *entry;
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	int32		count = 0;
	int64		users = 0,
				rotations = 0;

	InitMaterializedSRF(fcinfo, 0);
	databases = attach_area();
	sweep_dropped_databases(databases);
	dshash_seq_init(&scan, databases, false);
	while ((entry = dshash_seq_next(&scan)) != NULL)
	{
		DatabaseState *state = dsa_get_address(area, entry->state);

		count++;
		users += pg_atomic_read_u64(&state->user_count);
		rotations += pg_atomic_read_u64(&state->rotation_count);
	}
	dshash_seq_term(&scan);
	dshash_detach(databases);
	values[0] = Int32GetDatum(count);
	values[1] = Int64GetDatum(users);
	values[2] = Int64GetDatum(rotations);
	values[3] = Int64GetDatum((int64) pg_atomic_read_u64(&anchor->bytes));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	return (Datum) 0;
}
