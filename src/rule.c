/*
 * rule.c: a channel's routing rule, read from its row.
 *
 * cache.c keeps every channel's rule with the rest of the configuration,
 * current at every routing moment, so a DBA's edit applies to the next
 * insert with no reload; the distribution is one of strategies.c's.
 */
#include "hubroute.h"

/* The assign_to value; an unknown one (validation bypassed) routes to nobody. */
AssignTo
rule_parse_assign_to(const char *value)
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
