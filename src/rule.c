/*
 * rule.c: loading a channel's routing rule.
 *
 * The rule is read from hubroute.channels at every routing moment, under the
 * statement's snapshot, so a DBA's edit applies to the next insert with no
 * reload.
 */
#include "hubroute.h"

#include "catalog/pg_type_d.h"
#include "utils/builtins.h"

static SPIPlanPtr rule_plan;

static const char *const rule_sql =
	"SELECT w.kind, c.assign_to, c.distribution, c.only_available, c.fallback_user_id,"
	"       c.use_skills, c.workspace_id, c.kind,"
	"       EXISTS (SELECT 1 FROM hubroute.workspace_teams wt"
	"                WHERE wt.workspace_id" EQ "c.workspace_id)"
	"  FROM hubroute.channels c"
	"  JOIN hubroute.workspaces w ON w.id" EQ "c.workspace_id"
	" WHERE c.id" EQ "$1";

/* Column value as a C string, or NULL. */
static char *
column_text(int col)
{
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col);
}

/* Column value as a bool. */
static bool
column_bool(int col)
{
	bool		isnull;
	Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);

	return !isnull && DatumGetBool(value);
}

/* The assign_to value; an unknown one (validation bypassed) routes to nobody. */
static AssignTo
parse_assign_to(const char *value)
{
	if (value == NULL)
		return ASSIGN_NOBODY;
	if (strcmp(value, "users_and_teams") == 0)
		return ASSIGN_USERS_AND_TEAMS;
	if (strcmp(value, "contact_owner") == 0)
		return ASSIGN_CONTACT_OWNER;
	if (strcmp(value, "customer_agent") == 0)
		return ASSIGN_CUSTOMER_AGENT;
	return ASSIGN_NOBODY;
}

/*
 * The distribution value, or the channel's default for NULL: balanced in a
 * help desk; in an inbox random for email and form channels, least busy for
 * all others.
 */
static Distribution
parse_distribution(const char *value, bool inbox, const char *channel_kind)
{
	if (value != NULL && strcmp(value, "balanced") == 0)
		return DISTRIBUTION_BALANCED;
	if (value != NULL && strcmp(value, "random") == 0)
		return DISTRIBUTION_RANDOM;
	if (value != NULL && strcmp(value, "least_busy") == 0)
		return DISTRIBUTION_LEAST_BUSY;
	if (value != NULL && strcmp(value, "round_robin") == 0)
		return DISTRIBUTION_ROUND_ROBIN;
	if (!inbox)
		return DISTRIBUTION_BALANCED;
	if (strcmp(channel_kind, "email") == 0 || strcmp(channel_kind, "form") == 0)
		return DISTRIBUTION_RANDOM;
	return DISTRIBUTION_LEAST_BUSY;
}

/* The SQL name of a distribution, as logged in hubroute.assignments.method. */
const char *
distribution_name(Distribution distribution)
{
	switch (distribution)
	{
		case DISTRIBUTION_BALANCED:
			return "balanced";
		case DISTRIBUTION_RANDOM:
			return "random";
		case DISTRIBUTION_LEAST_BUSY:
			return "least_busy";
		case DISTRIBUTION_ROUND_ROBIN:
			return "round_robin";
	}
	pg_unreachable();
}

/*
 * Loads the rule of channel_id for an item of kind. A missing channel, or a
 * channel of the wrong workspace kind, is an integrity error.
 */
void
rule_load(int64 channel_id, ItemKind kind, RoutingRule *rule)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(channel_id)};
	const ItemKindInfo *info = item_kind_info(kind);
	char	   *workspace_kind;
	bool		isnull;

	if (spi_run(spi_plan(&rule_plan, rule_sql, 1, argtypes), values, NULL, true, 1) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("channel %lld does not exist", (long long) channel_id),
				 errdetail("Every %s must come in on a channel of hubroute.channels.", info->noun)));
	workspace_kind = column_text(1);
	if (strcmp(workspace_kind, info->workspace_kind) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("a %s must come in on %s channel", info->noun, info->workspace_noun),
				 errdetail("Channel %lld belongs to a workspace of kind \"%s\".",
						   (long long) channel_id, workspace_kind),
				 errhint("Tickets go to help-desk channels, conversations to inbox channels.")));
	rule->channel_id = channel_id;
	rule->inbox = kind == ITEM_CONVERSATION;
	rule->assign_to = parse_assign_to(column_text(2));
	rule->distribution = parse_distribution(column_text(3), rule->inbox, column_text(8));
	rule->only_available = column_bool(4);
	rule->fallback_user_id = spi_get_int64(0, 5, &isnull);
	rule->has_fallback = !isnull;
	rule->use_skills = column_bool(6);
	rule->workspace_id = spi_get_int64(0, 7, &isnull);
	rule->restricted = column_bool(9);
}
