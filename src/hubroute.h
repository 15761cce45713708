/*
 * hubroute.h: types shared by the routing code.
 *
 * The flow of one routed insert: triggers.c checks the table is hubroute's
 * (relations.c) and reads the new row (items.c), locks the keys it refers
 * to (integrity.c, locking.c), refreshes the cached configuration (cache.c,
 * whose SQL runs as internal_sql.c says; each channel's rule read by
 * rule.c, its distribution one of strategies.c's), finds the item's channel
 * and checks the row's references (integrity.c), asks route.c for a
 * decision, which selects eligible users (candidates.c), applies the
 * channel's strategy (strategy_*.c) and counts the choice at once in shared
 * memory (counters.c, shared_state.c, under the decision lock of
 * locking.c); the decision waits in pending.c until the AFTER trigger sees
 * the row as stored, checks it and logs it (decision_log.c).
 */
#ifndef HUBROUTE_H
#define HUBROUTE_H

#include "postgres.h"

#include "access/htup.h"
#include "executor/spi.h"
#include "lib/dshash.h"
#include "port/atomics.h"
#include "storage/lwlock.h"
#include "utils/rel.h"
#include "utils/snapshot.h"
#include "utils/date.h"
#include "utils/timestamp.h"

/* Operators in SPI text are qualified: the caller's search_path is not ours. */
#define EQ " OPERATOR(pg_catalog.=) "

/* The two kinds of work item; each has its own table and workspace kind. */
typedef enum ItemKind
{
	ITEM_TICKET,
	ITEM_CONVERSATION
} ItemKind;

/* hubroute's tables that the C code finds by OID (relations.c). */
typedef enum HubrouteTable
{
	TABLE_TICKETS,
	TABLE_CONVERSATIONS,
	TABLE_MESSAGES,
	TABLE_ASSIGNMENTS,
	TABLE_NOTIFICATIONS,
	TABLE_CONTACTS,
	TABLE_CHANNELS,
	TABLE_USERS,
	TABLE_TEAMS,
	TABLE_COUNT
} HubrouteTable;

extern void relations_register_callbacks(void);
extern Oid	hubroute_namespace(void);
extern Oid	hubroute_relid(HubrouteTable table);
extern const char *hubroute_table_name(HubrouteTable table);
extern bool hubroute_rel_is(Relation rel, HubrouteTable table);
extern void require_hubroute_table(Relation rel, uint32 allowed, const char *function);
extern AttrNumber relation_column(TupleDesc desc, const char *table, const char *column, Oid type_oid);

/* A column hubroute reads, and the type it must have. */
typedef struct ColumnSpec
{
	const char *name;
	Oid			type;
} ColumnSpec;

#define MAX_TABLE_COLUMNS 16

/* The columns hubroute reads from one of its tables (table_columns()). */
typedef struct TableColumns
{
	int			count;
	const ColumnSpec *columns;	/* the first one "id" for id_index */
	Oid			relid;			/* the table the numbers are for; 0: look again */
	bool		registered;
	AttrNumber	attnums[MAX_TABLE_COLUMNS];
	Oid			id_index;		/* an index that finds rows by id, or InvalidOid */
} TableColumns;

extern void lookup_columns(TupleDesc desc, const char *table, const ColumnSpec *columns, int count,
						   AttrNumber *attnums);
extern const TableColumns *table_columns(TableColumns *cache, Relation rel);
extern bool relation_scan_key(Relation rel, AttrNumber column, Oid index, int64 value,
							  Snapshot snapshot,
							  bool (*visit) (Relation rel, HeapTuple tuple, void *arg), void *arg);
extern Oid	relation_index_on(Relation rel, AttrNumber column);
extern bool hubroute_has_row(HubrouteTable table, const char *column, int64 value);

/* Names that go with an item kind. */
typedef struct ItemKindInfo
{
	const char *table;			/* "tickets" */
	const char *noun;			/* "ticket" */
	const char *id_column;		/* column of hubroute.assignments: "ticket_id" */
	const char *workspace_kind; /* the workspace kind its channels need */
	const char *workspace_noun; /* for messages, with its article: "a help-desk" */
	HubrouteTable table_id;
} ItemKindInfo;

extern const ItemKindInfo *item_kind_info(ItemKind kind);
extern ItemKind item_kind_of(Relation rel, const char *function);

/* The item columns triggers read or set. */
typedef enum ItemColumn
{
	ITEM_COLUMN_ID,
	ITEM_COLUMN_CHANNEL_ID,
	ITEM_COLUMN_CONTACT_ID,
	ITEM_COLUMN_REQUIRED_SKILLS,
	ITEM_COLUMN_STATUS,
	ITEM_COLUMN_OWNER_ID,
	ITEM_COLUMN_TEAM_ID,
	ITEM_COLUMN_HANDLED_BY,
	ITEM_COLUMN_ASSIGNED_AT,
	ITEM_COLUMN_CREATED_AT,
	ITEM_COLUMN_CONVERSATION_ID,	/* tickets only: the last */
	ITEM_COLUMN_COUNT
} ItemColumn;

extern AttrNumber item_attnum(Relation rel, ItemKind kind, ItemColumn column);

/*
 * The columns of a ticket or conversation row that routing reads. A row
 * owns what it holds (skills are copied out of the tuple).
 */
typedef struct ItemRow
{
	int64		id;
	bool		has_channel;	/* NULL only while its NOT NULL constraint is pending */
	int64		channel_id;
	bool		has_contact;
	int64		contact_id;
	int			skill_count;	/* required_skills, when read */
	int64	   *skills;
	bool		open;
	bool		has_owner;
	int64		owner_id;
	bool		has_team;
	int64		team_id;
	bool		has_assigned_at;
	TimestampTz assigned_at;
	bool		has_created_at;
	TimestampTz created_at;
	bool		has_conversation;	/* a ticket's conversation_id */
	int64		conversation_id;
	bool		customer_agent;
} ItemRow;

extern void item_row_read(Relation rel, ItemKind kind, HeapTuple tuple, bool with_skills, ItemRow *row);
extern void item_row_read_result(TupleDesc desc, HeapTuple tuple, ItemKind kind, ItemRow *row);
extern bool item_rows_agree(const ItemRow *a, const ItemRow *b);
extern bool item_row_stored(Relation rel, ItemKind kind, const ItemRow *expected);

/* assign_to values of hubroute.channels. */
typedef enum AssignTo
{
	ASSIGN_NOBODY,
	ASSIGN_USERS_AND_TEAMS,
	ASSIGN_CONTACT_OWNER,
	ASSIGN_CUSTOMER_AGENT
} AssignTo;

/* What a strategy chooses among (the decision lock is held). */
typedef struct StrategyChoice
{
	const struct Candidate *candidates; /* eligible, ascending user id */
	int			count;			/* > 0 */
	ItemKind	kind;
	const struct Rotation *rotation;	/* for a strategy that rotates */
} StrategyChoice;

/*
 * A distribution of a users_and_teams rule: one file each
 * (strategy_<name>.c) and one row of strategies.c, which route.c reads.
 */
typedef struct Strategy
{
	const char *name;			/* the distribution value, and the method logged */
	bool		compares_loads; /* picks by open counts: the least of a pool's heap */
	bool		all_kinds;		/* the counts of both kinds of item, not the item's */
	bool		rotates;		/* keeps a rotation (one per channel) it moves */
	int			(*pick) (const StrategyChoice *choice, int32 *least);	/* index; *least: its load */
	char	   *(*reason) (const StrategyChoice *choice, int32 least);	/* why, for the log */
} Strategy;

extern const Strategy strategy_balanced;
extern const Strategy strategy_least_busy;
extern const Strategy strategy_random;
extern const Strategy strategy_round_robin;
extern const Strategy *strategy_named(const char *name);
extern const Strategy *strategy_of_channel(const char *value, bool inbox, const char *channel_kind);
extern Datum strategy_rotating_names(void);

/* A channel's routing rule, read as of the routing moment. */
typedef struct RoutingRule
{
	int64		channel_id;
	int64		workspace_id;
	bool		inbox;			/* workspace kind: inbox, else help desk */
	bool		restricted;		/* the workspace has workspace_teams rows */
	AssignTo	assign_to;
	const Strategy *distribution;	/* NULL resolved to the channel's default */
	bool		only_available;
	bool		has_fallback;
	int64		fallback_user_id;
	bool		use_skills;
} RoutingRule;

extern AssignTo rule_parse_assign_to(const char *value);

/* A user who became available or away, committed (config_changes.c). */
typedef struct AvailabilityChange
{
	int64		user_id;
	bool		available;
} AvailabilityChange;

/* Shared memory (shared_state.c): one per database. */
typedef struct DatabaseState
{
	LWLock		lock;			/* the decision lock: decisions and counts, one at a time */
	bool		loaded;			/* the counts below were loaded from the tables ... */
	Oid			loaded_for;		/* ... of the extension in this schema */
	uint64		generation;		/* moves on when the tables below are replaced */
	dshash_table_handle users;	/* user id -> UserLoad */
	dshash_table_handle channels;	/* channel id -> Rotation */
	pg_atomic_uint64 user_count;	/* slots in users */
	pg_atomic_uint64 rotation_count;	/* slots in channels */
	uint64		changes;		/* changes noted in change_ring so far */
	int64		change_ring[4096];	/* users whose slot changed, by change % 4096 */
	pg_atomic_uint64 availability_changes;	/* committed in availability_ring so far */
	AvailabilityChange availability_ring[1024]; /* by change % 1024 */
	pg_atomic_uint64 queue_entries; /* items that came to wait in a queue so far */
	pg_atomic_uint32 queues_seen;	/* a channel had a queue since the server started */
} DatabaseState;

/* A user's open items and last assignment, as routing compares them. */
typedef struct UserLoad
{
	int64		user_id;
	int32		open[2];		/* by ItemKind */
	TimestampTz last_assigned_at;	/* DT_NOBEGIN: never assigned */
	TimestampTz committed_assigned_at;	/* the same of committed decisions only */
} UserLoad;

/* A round-robin channel's rotation: the last user served. */
typedef struct Rotation
{
	int64		channel_id;
	bool		started;
	int64		last_user_id;
} Rotation;

extern void shared_state_init(void);
extern DatabaseState *shared_state(void);
extern LWLock *shared_state_lock(void);
extern UserLoad *shared_user_load(int64 user_id);
extern Rotation *shared_rotation(int64 channel_id);
extern void shared_state_reset(void);
extern UserLoad *shared_user_loads(int *count);
extern void shared_note_change(int64 user_id);
extern uint64 shared_changes_seen(void);
extern uint64 shared_generation(void);
extern bool shared_changes_since(uint64 seen, uint64 *first);
extern int64 shared_change(uint64 seq);
extern void shared_publish_availability(AvailabilityChange change);
extern uint64 shared_availability_seen(void);
extern bool shared_availability_since(uint64 seen, uint64 *first, uint64 *last);
extern AvailabilityChange shared_availability(uint64 seq);

/* The routing configuration, cached per backend (cache.c). */
typedef enum Seat
{
	SEAT_NONE,
	SEAT_SALES,
	SEAT_SERVICE
} Seat;

typedef struct UserInfo
{
	int64		user_id;
	bool		active;
	bool		available;
	bool		ticket_access;
	Seat		seat;
	int			skill_count;
	int64	   *skills;			/* ascending */
	int			team_count;
	int64	   *teams;			/* every membership, ascending */
	bool		no_primary_team;
	int64		primary_team_id;
	int32		capacity[2];	/* by ItemKind: the most open items routing gives; -1: no limit */
	UserLoad   *load;			/* NULL until routing needs it (cache_user_load()) */
} UserInfo;

/*
 * Users routing chooses among, resolved by cache.c from target rows (a
 * channel's targets), with what eligibility keeps of them for the channel
 * that uses the pool: its workspace and rule decide who is eligible.
 */
typedef struct Pool
{
	int			size;
	UserInfo  **members;		/* ascending user id, no duplicates */
	struct Candidate *eligible[2];	/* the eligible members when no skill is
									 * required, by honour_availability (room
									 * for every member) ... */
	int			eligible_count[2];
	bool		eligible_capped[2]; /* some of them have a capacity */
	bool		eligible_valid[2];	/* ... once worked out */
	struct PoolIndex *index[2]; /* the eligible ordered by load (pool_index.c) */
} Pool;

/* One row of hubroute.channel_hours, in the channel's time zone. */
typedef struct OpeningHours
{
	int			weekday;		/* ISO: 1 (Monday) .. 7 */
	TimeADT		opens;			/* inclusive */
	TimeADT		closes;			/* exclusive; before opens: the night across */
} OpeningHours;

typedef struct ChannelInfo
{
	int64		channel_id;
	RoutingRule rule;
	char	   *kind;			/* chat, email, calling, ... */
	char	   *workspace_kind;
	int			workspace_team_count;
	int64	   *workspace_teams;	/* ascending; none: not restricted */
	Pool		targets;		/* of its users_and_teams rule */
	Pool		handoff;		/* the handoff targets, eligible as for this channel */
	Rotation   *rotation;		/* looked up on first round-robin decision */
	char	   *timezone;
	struct pg_tz *zone;			/* timezone loaded, or NULL: an abbreviation (hours.c) */
	int			hours_count;	/* none: always open */
	OpeningHours *hours;
	char	   *voicemail_message;	/* NULL: none */
	char	   *after_hours_message;
	bool		queue;			/* items nobody can take wait (drain.c) */
	uint64		queue_empty_as_of;	/* 1 + shared_queue_entries() when last found
									 * empty; 0: not known */
} ChannelInfo;

/* handoff_process of hubroute.customer_agent. */
typedef enum HandoffProcess
{
	HANDOFF_LIVE,
	HANDOFF_ASYNC,
	HANDOFF_NONE
} HandoffProcess;

/* hubroute.customer_agent and hubroute.handoff_triggers, as cached. */
typedef struct CustomerAgentSettings
{
	bool		paused;
	HandoffProcess process;
	bool		workflow;		/* handoff_mode: workflow, else same_targets */
	bool		has_workflow_channel;
	int64		workflow_channel_id;
	char	   *message_available;	/* each NULL: none */
	char	   *message_unavailable;
	char	   *message_unassigned;
	bool		close_if_unassigned;
	int			phrase_count;
	char	  **phrases;		/* the handoff_triggers phrases, lower case */
} CustomerAgentSettings;

extern void cache_register_callbacks(void);
extern void cache_forget(void);
extern void cache_forget_slots(void);
extern void cache_set_available(int64 user_id, bool available);
extern UserLoad *cache_user_load(UserInfo *user);
extern void cache_refresh(void);
extern bool cache_still_current(void);
extern ChannelInfo *cache_channel(int64 channel_id);
extern List *cache_queue_channels(void);
extern bool pool_has_member(const Pool *pool, int64 user_id);
extern const CustomerAgentSettings *cache_customer_agent(void);
extern UserInfo *cache_user(int64 user_id);
extern bool cache_team_exists(int64 team_id);
extern void *cache_alloc(Size size);


/* An eligible user; its load is read under the decision lock. */
typedef struct Candidate
{
	int64		user_id;
	UserLoad   *load;
	const int32 *capacity;		/* the user's, by ItemKind (-1: no limit) */
} Candidate;

/* Who may be a candidate: a pool's members, or one given user, for a channel's item. */
typedef struct CandidateQuery
{
	ChannelInfo *channel;		/* its workspace and rule: the eligibility context */
	Pool	   *pool;			/* keeps its eligible members; NULL: one given user */
	int			required_count; /* skills required (with use_skills) */
	const int64 *required_skills;
	bool		honour_availability;
} CandidateQuery;

extern void candidate_query_init(CandidateQuery *query, ChannelInfo *channel, Pool *pool,
								 const ItemRow *item, bool honour_availability);
extern bool user_eligible(const CandidateQuery *query, const UserInfo *user);
extern const Candidate *candidates_select(const CandidateQuery *query, int *count);
extern int	candidates_pick_least_loaded(const Candidate *candidates, int count, ItemKind kind,
										 bool all_kinds, int32 *least);
extern struct PoolIndex *candidates_index(const CandidateQuery *query, ItemKind kind, bool all_kinds);
extern bool candidates_capped(const CandidateQuery *query);

/* Capacity (capacity.c): who has room for one more item, under the decision lock. */
extern bool capacity_has_room(const Candidate *candidate, ItemKind kind);
extern bool capacity_has_shared_room(const Candidate *candidate, ItemKind kind);
extern int	capacity_keep_room(const Candidate *candidates, int count, ItemKind kind, Candidate *room);
extern bool capacity_any_room(const Candidate *candidates, int count, ItemKind kind);
extern char *capacity_explain_full(int count);
struct RoutingRequest;
struct RoutingDecision;
extern int	capacity_count_choice(const struct RoutingRequest *request, const Candidate *candidate,
								  TimestampTz *at, Rotation *rotation, bool *at_commit);
extern int	capacity_give_to(const struct RoutingRequest *request, UserInfo *user,
							 struct RoutingDecision *decision, bool *full);

/* The least loaded member of a big pool (pool_index.c). */
typedef struct PoolIndex PoolIndex;
extern PoolIndex *pool_index_create(const Candidate *candidates, int count, ItemKind kind,
									bool all_kinds);
extern void pool_index_reset(PoolIndex *index, const Candidate *candidates, int count);
extern int	pool_index_least(PoolIndex *index, int32 *least);
extern bool workspace_allows_user(const ChannelInfo *channel, const UserInfo *user);
extern bool workspace_allows_team(const ChannelInfo *channel, int64 team_id);

/* The outcome of routing one item, or a manual choice of owner: one log row. */
typedef struct RoutingDecision
{
	bool		assigned;
	int64		user_id;
	bool		has_team;
	int64		team_id;
	bool		customer_agent; /* handled_by becomes 'customer_agent' */
	bool		notify_owner_offline;
	const char *method;			/* NULL: nothing to log (an imported row) */
	char	   *reason;
	TimestampTz at;
	char	   *message;		/* an outgoing message to post on the item, or NULL */
} RoutingDecision;

/* What is being routed. */
typedef struct RoutingRequest
{
	ItemKind	kind;
	const ItemRow *item;
	ChannelInfo *channel;
	bool		live;			/* only available humans (a call), whatever only_available says */
	bool		from_queue;		/* a drain (drain.c): room the transaction made counts at commit */
} RoutingRequest;

extern int	route_item(const RoutingRequest *request, RoutingDecision *decision);
extern int	route_by_rule(const RoutingRequest *request, RoutingDecision *decision);

/* Calling channels (calls.c) and opening hours (hours.c). */
extern bool call_is(const RoutingRequest *request);
extern int	call_route(const RoutingRequest *request, RoutingDecision *decision);
extern char *call_unanswered_message(const ChannelInfo *channel, const ItemRow *item, TimestampTz at);
extern bool hours_open_at(const ChannelInfo *channel, TimestampTz at);
extern struct pg_tz *hours_zone(const char *timezone);
extern TimestampTz decision_clock(void);

/* The contact owner rule (its own file; not a distribution). */
extern int	strategy_contact_owner(const RoutingRequest *request, RoutingDecision *decision);

/* The rows items refer to (integrity.c), each with its lock (locking.c). */
typedef enum ReferenceKind
{
	REFERENCE_CHANNEL,
	REFERENCE_USER,
	REFERENCE_TEAM,
	REFERENCE_CONTACT,
	REFERENCE_CONVERSATION		/* a ticket's conversation_id: checked on insert only */
} ReferenceKind;

/* Every lock hubroute takes (locking.c, whose header states the protocol). */
extern void decision_lock(void);
extern void decision_lock_shared(void);
extern void decision_unlock(void);
extern void lock_reference(ReferenceKind kind, int64 id);
extern void lock_reference_removal(ReferenceKind kind, int64 id);
extern void lock_item_tables(void);
extern void lock_counts_load(void);
extern void unlock_counts_load(void);
extern Relation open_to_read(Oid relid);
extern Relation open_index_to_read(Oid indexid);
extern Relation open_to_insert(Oid relid);
extern void lock_shared_memory_setup(void);
extern void unlock_shared_memory_setup(void);

/* Open counts, last assignments and rotations with transaction semantics (counters.c). */
extern int	counters_gain_locked(ItemKind kind, UserLoad *load, int delta, TimestampTz stamp,
								 Rotation *rotation);
extern int	counters_gain(ItemKind kind, int64 user_id, int delta, TimestampTz stamp);
extern int	counters_gain_at_commit_locked(ItemKind kind, UserLoad *load, TimestampTz stamp,
										   Rotation *rotation);
extern void counters_note_own_gain(int handle);
extern void counters_decision_time_locked(const UserLoad *load, TimestampTz *at);
extern void counters_change_at_commit(ItemKind kind, int64 user_id, int delta, TimestampTz stamp);
extern void counters_read(const UserLoad *load, int32 open[2], TimestampTz *last_assigned_at);
extern bool counters_have_own_changes(void);
extern void counters_cancel(int handle);
extern bool counters_effect_is_for(int handle, int64 user_id);
extern void counters_request_reload(void);
extern void counters_register_callbacks(void);
extern void counters_ready(void);
extern void counters_rebuild(void);

/* A decision waiting for its row's AFTER trigger (pending.c). */
typedef struct PendingDecision
{
	ItemRow		row;			/* as the BEFORE trigger returned it, skills not kept */
	RoutingDecision decision;
	int			effect;			/* counters.c handle of what it counted, or -1 */
} PendingDecision;

extern void pending_settle_previous(Relation rel, ItemKind kind);
extern void pending_settle_all(void);
extern void pending_add(ItemKind kind, const ItemRow *row, const RoutingDecision *decision, int effect);
extern bool pending_take(ItemKind kind, const ItemRow *row, PendingDecision *pending);
extern void pending_register_callbacks(void);

/* The assignments log and the notifications outbox. */
extern void decision_log(ItemKind kind, int64 item_id, int64 channel_id, const RoutingDecision *decision);
extern bool decision_log_has_item(ItemKind kind, int64 item_id);
extern bool restore_in_progress(void);
extern void decision_log_register_callbacks(void);
extern void decision_notify_owner_offline(ItemKind kind, int64 item_id, int64 user_id);
extern void decision_post_message(ItemKind kind, int64 item_id, const char *body);

/* On whose behalf an owner is changed: recorded by the code that issues the UPDATE (assign.c). */
typedef enum AssignSource
{
	SOURCE_MANUAL,				/* an UPDATE by the application or a DBA */
	SOURCE_REPLY,				/* an outgoing message by an unassigned item's first replier */
	SOURCE_ROUTED,				/* route_ticket() / route_conversation(); logs itself */
	SOURCE_HANDOFF				/* a handoff to a human (handoff.c); logs itself */
} AssignSource;

extern AssignSource assign_source_of(ItemKind kind, int64 item_id);
extern const char *assign_source_method(AssignSource source);
extern bool assign_source_decides(AssignSource source);
extern bool assign_lock_for_handoff(int64 conversation_id, bool as_hubroute, ItemRow *row);
extern bool assign_handoff(int64 conversation_id, const RoutingDecision *decision, int effect,
						   bool close, bool as_hubroute);

/* Handoff from the customer agent to a human (handoff.c, handoff_phrases.c). */
extern int64 handoff_conversation(int64 conversation_id, const char *why, bool as_hubroute,
								  bool *has_owner);
extern const char *handoff_phrase_in(const char *body, const CustomerAgentSettings *settings);
extern bool handoff_workflow_decision(const ItemRow *row, RoutingDecision *decision, int *effect);
extern int	assign_take_routed_effect(ItemKind kind, int64 item_id);

/* Where a drain is in a queue: past the item it looked at last. */
typedef struct QueueCursor
{
	int32		priority;		/* above every smallint: at the head */
	TimestampTz created_at;
	int64		id;
} QueueCursor;

extern bool assign_next_waiting(ItemKind kind, int64 channel_id, QueueCursor *cursor, bool as_hubroute,
								ItemRow *row);
extern bool assign_lock_waiting(ItemKind kind, ItemRow *row, bool as_hubroute);
/* What became of a waiting item a drain looked at. */
typedef enum QueueOutcome
{
	QUEUE_ASSIGNED,				/* handed out */
	QUEUE_NOBODY,				/* nobody who can take it has room */
	QUEUE_BUSY					/* another transaction holds it, or it changed */
} QueueOutcome;

extern QueueOutcome assign_from_queue(ItemKind kind, const ItemRow *row, bool as_hubroute);
extern bool assign_permitted(const ChannelInfo *channel, ItemKind kind, const ItemRow *row,
							 bool check_owner, bool check_team, bool quietly);
extern void assign_reply(ItemKind kind, int64 item_id, int64 author_id);

/* The waiting queue (drain.c, SPEC §6). */
extern int	drain_channel(ChannelInfo *channel, bool as_hubroute);
extern void drain_for_user(ItemKind kind, int64 user_id);
extern void drain_all_queues(void);
extern void drain_for_available_user(int64 user_id);
extern bool assign_queue_has_items(ItemKind kind, int64 channel_id);
extern bool item_waits(const ItemRow *row);
extern void drain_note_waiting_item(int64 channel_id);
extern void drain_register_callbacks(void);
extern uint64 shared_queue_entries(void);
extern void shared_note_queue_entry(void);
extern bool shared_queues_seen(void);
extern void shared_note_queues(void);

/* Events (events.c): NOTIFY of a decision that gives an item an owner. */
extern void events_define_setting(void);
extern void events_notify(ItemKind kind, int64 item_id, int64 channel_id, const RoutingDecision *decision,
						  int64 assignment_id);

/* Changes to the configuration (config_changes.c). */
extern void config_changes_register_callbacks(void);
extern void config_changes_replay(uint64 *seen);

/* What every trigger shares (triggers.c). */
extern bool applying_replicated_changes(void);
extern struct TriggerData *row_trigger_data(FunctionCallInfo fcinfo, const char *name);

/* Integrity of the references items make (integrity.c). */
/* What routing needs of a contact. */
typedef struct ContactInfo
{
	bool		exists;
	bool		has_owner;
	int64		owner_id;
	bool		tracked;
} ContactInfo;

extern void integrity_read_contact(int64 contact_id, ContactInfo *contact);
extern ChannelInfo *integrity_item_channel(int64 channel_id, ItemKind kind);
extern void integrity_missing_reference(ItemKind kind, ReferenceKind reference,
										int64 id) pg_attribute_noreturn();
extern void integrity_lock_references(const ItemRow *row, bool channel, bool owner, bool team);
extern void integrity_check_references(ItemKind kind, const ItemRow *row, bool owner, bool team,
									   bool contact);
extern void integrity_check_conversation(const ItemRow *row);

/* Internal SQL: as one of hubroute's roles, restricted, pinned (internal_sql.c). */
typedef enum InternalRole
{
	INTERNAL_READER,			/* hubroute_internal: reads */
	INTERNAL_LOGGER				/* hubroute_logger: log and outbox inserts */
} InternalRole;

typedef struct InternalSql
{
	Oid			saved_user;
	int			saved_context;
	int			guc_nest;
} InternalSql;

extern void internal_sql_begin(InternalSql *state, InternalRole which);
extern void internal_sql_end(const InternalSql *state);

/* SPI connections and saved plans (spi_plans.c). */
extern void spi_connect(void);
extern void spi_finish(void);
extern SPIPlanPtr spi_plan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes);
extern int	spi_run(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, long count);
extern int	spi_run_latest(SPIPlanPtr plan, Datum *values, const char *nulls, long count);
extern int	spi_run_committed(SPIPlanPtr plan, Datum *values, const char *nulls, long count);
extern SPIPlanPtr spi_prepare_once(const char *sql, int nargs, Oid *argtypes);
extern int64 spi_get_int64(int row, int col, bool *isnull);

#endif							/* HUBROUTE_H */
