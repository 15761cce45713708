/*
 * rule.c: a channel's routing rule.
 *
 * The rule comes from the configuration cache (cache.c), which is current
 * at every routing moment, so a DBA's edit applies to the next insert with
 * no reload.
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

/*
 * The cached channel of channel_id, with its rule, for an item of kind. A
 * missing channel, or a channel of the wrong workspace kind, is an
 * integrity error.
 */
ChannelInfo *
rule_load(int64 channel_id, ItemKind kind)
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
