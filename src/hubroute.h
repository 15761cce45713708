/*
 * hubroute.h: types shared by the routing code.
 *
 * The flow of one routed insert: triggers.c reads the new row (items.c),
 * loads the channel's rule (rule.c), asks route.c for a decision, which
 * selects eligible users (candidates.c) and applies one strategy
 * (strategy_*.c); the decision is logged (decision_log.c) and the owner's
 * counter is moved by the AFTER trigger (counters.c).
 */
#ifndef HUBROUTE_H
#define HUBROUTE_H

#include "postgres.h"

#include "access/htup.h"
#include "executor/spi.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* Operators in SPI text are qualified: the caller's search_path is not ours. */
#define EQ " OPERATOR(pg_catalog.=) "

/* The two kinds of work item; each has its own table and workspace kind. */
typedef enum ItemKind
{
	ITEM_TICKET,
	ITEM_CONVERSATION
} ItemKind;

/* Names that go with an item kind. */
typedef struct ItemKindInfo
{
	const char *table;			/* "tickets" */
	const char *noun;			/* "ticket" */
	const char *id_column;		/* column of hubroute.assignments: "ticket_id" */
	const char *workspace_kind; /* the workspace kind its channels need */
	const char *workspace_noun; /* for messages, with its article: "a help-desk" */
} ItemKindInfo;

extern const ItemKindInfo *item_kind_info(ItemKind kind);
extern ItemKind item_kind_of(Relation rel);

/* The columns of a ticket or conversation row that routing reads. */
typedef struct ItemRow
{
	int64		id;
	int64		channel_id;
	bool		has_contact;
	int64		contact_id;
	Datum		required_skills;	/* bigint[] */
	bool		open;
	bool		has_owner;
	int64		owner_id;
	bool		has_team;
	int64		team_id;
	bool		has_assigned_at;
	TimestampTz assigned_at;
	bool		customer_agent;
} ItemRow;

extern void item_row_read(TupleDesc desc, HeapTuple tuple, ItemRow *row);

/* assign_to values of hubroute.channels. */
typedef enum AssignTo
{
	ASSIGN_NOBODY,
	ASSIGN_USERS_AND_TEAMS,
	ASSIGN_CONTACT_OWNER,
	ASSIGN_CUSTOMER_AGENT
} AssignTo;

/* distribution values, with NULL already resolved to the channel's default. */
typedef enum Distribution
{
	DISTRIBUTION_BALANCED,
	DISTRIBUTION_RANDOM,
	DISTRIBUTION_LEAST_BUSY,
	DISTRIBUTION_ROUND_ROBIN
} Distribution;

/* A channel's routing rule, read as of the routing moment. */
typedef struct RoutingRule
{
	int64		channel_id;
	int64		workspace_id;
	bool		inbox;			/* workspace kind: inbox, else help desk */
	bool		restricted;		/* the workspace has workspace_teams rows */
	AssignTo	assign_to;
	Distribution distribution;
	bool		only_available;
	bool		has_fallback;
	int64		fallback_user_id;
	bool		use_skills;
} RoutingRule;

extern void rule_load(int64 channel_id, ItemKind kind, RoutingRule *rule);
extern const char *distribution_name(Distribution distribution);

/* An eligible user with the load figures the strategies compare. */
typedef struct Candidate
{
	int64		user_id;
	bool		available;
	int32		open_tickets;
	int32		open_conversations;
	TimestampTz last_assigned_at;	/* DT_NOBEGIN: never assigned */
} Candidate;

/* Who may be a candidate: the channel's pool, or one given user. */
typedef struct CandidateQuery
{
	const RoutingRule *rule;
	Datum		required_skills;	/* bigint[]; empty unless use_skills */
	bool		honour_availability;
	bool		lock_counters;	/* lock the counter rows, in user id order */
	bool		single_user;	/* only single_user_id, not the pool */
	int64		single_user_id;
} CandidateQuery;

extern Candidate *candidates_select(const CandidateQuery *query, int *count);
extern int	candidates_pool_size(int64 channel_id);
extern int	candidates_pick_least_loaded(const Candidate *candidates, int count,
										 int32 (*load) (const Candidate *, ItemKind),
										 ItemKind kind);
extern bool workspace_allows_user(const RoutingRule *rule, int64 user_id);
extern bool workspace_allows_team(const RoutingRule *rule, int64 team_id);

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
} RoutingDecision;

/* What is being routed. */
typedef struct RoutingRequest
{
	ItemKind	kind;
	const ItemRow *item;
	const RoutingRule *rule;
} RoutingRequest;

extern void route_item(const RoutingRequest *request, RoutingDecision *decision);
extern Datum route_required_skills(const RoutingRequest *request);

/* The strategies, one file each. */
extern int	strategy_balanced(const Candidate *candidates, int count, ItemKind kind);
extern int	strategy_least_busy(const Candidate *candidates, int count, ItemKind kind);
extern int	strategy_random(int count);
extern int	strategy_round_robin(int64 channel_id, const Candidate *candidates, int count);
extern void strategy_contact_owner(const RoutingRequest *request, RoutingDecision *decision);

/* The routing lock (locking.c). */
extern void routing_lock(void);

/* Load counters. */
extern void counters_apply(ItemKind kind, int64 user_id, int delta, bool has_assigned_at,
						   TimestampTz assigned_at);

/* Decisions waiting for their row's AFTER trigger. */
extern void pending_statement_begin(void);
extern void pending_statement_end(void);
extern void pending_add(ItemKind kind, int64 item_id, const RoutingDecision *decision, bool counts);
extern bool pending_take(ItemKind kind, int64 item_id, RoutingDecision *decision);
extern void pending_overlay(Candidate *candidates, int count);
extern void pending_register_callbacks(void);

/* The assignments log and the notifications outbox. */
extern void decision_log(ItemKind kind, int64 item_id, const RoutingDecision *decision);
extern void decision_notify_owner_offline(ItemKind kind, int64 item_id, int64 user_id);

/* Who is changing an owner: set by the code that issues the UPDATE. */
typedef enum AssignSource
{
	SOURCE_MANUAL,				/* an UPDATE by the application or a DBA */
	SOURCE_REPLY,				/* an outgoing message by an unassigned item's first replier */
	SOURCE_ROUTED				/* route_ticket() / route_conversation(); logs itself */
} AssignSource;

extern AssignSource assign_current_source(void);
extern bool assign_permitted(const RoutingRule *rule, ItemKind kind, const ItemRow *row,
							 bool check_owner, bool check_team, bool quietly);
extern bool assign_update_owner(ItemKind kind, int64 item_id, AssignSource source,
								const RoutingDecision *decision);

/* Saved SPI plans. */
extern SPIPlanPtr spi_plan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes);
extern int	spi_run(SPIPlanPtr plan, Datum *values, const char *nulls, bool read_only, long count);
extern int64 spi_get_int64(int row, int col, bool *isnull);

#endif							/* HUBROUTE_H */
