/*
 * handoff.c: the customer agent hands a conversation to a human (SPEC §4).
 *
 * A handoff happens on hubroute.handoff(), on the caller's behalf (it locks
 * and updates the conversation as the caller, as route_conversation()
 * does), and on a visitor's message that asks for it (message_triggers.c),
 * as hubroute's own decision: the message's author may not change owners,
 * so that one runs as hubroute_logger (internal_sql.c).
 *
 * Only an open conversation the customer agent handles is handed off; one
 * handed off already is left as it is. handoff_process 'none' changes
 * nothing; 'live' gives it to the least busy available human among the
 * targets, 'async' to the least busy whether available or not. The targets
 * are hubroute.handoff_targets, eligible as for the conversation's channel;
 * a call's are its channel's own targets, and a call is always handed off
 * live. Then handled_by is 'human' (with no owner when nobody could take
 * it: it waits in Unassigned), the decision is logged with method handoff,
 * and the customer agent posts message_available or message_unavailable.
 */
#include "hubroute.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(hubroute_handoff);

/*
 * The least busy eligible target for the conversation, counted at once
 * (the decision is filled in); the counters.c handle, or -1 for nobody.
 */
static int
handoff_decide(const RoutingRequest *request, Pool *pool, const char *why, RoutingDecision *decision)
{
	CandidateQuery query;
	const Candidate *candidates;
	int			count;
	int			chosen;
	int32		least;
	int			effect;

	candidate_query_init(&query, request->channel, pool, request->item, request->live);
	candidates = candidates_select(&query, &count);
	decision->method = "handoff";
	if (count == 0)
	{
		decision->reason = psprintf("%s; no %shuman among %d targets", why,
									request->live ? "available " : "", pool->size);
		return -1;
	}
	decision_lock();
	chosen = candidates_pick_least_loaded(candidates, count, ITEM_CONVERSATION, true, &least);
	effect = counters_gain_locked(ITEM_CONVERSATION, candidates[chosen].load, 1, decision->at, NULL);
	decision_unlock();
	decision->assigned = true;
	decision->user_id = candidates[chosen].user_id;
	decision->reason = psprintf("%s; least busy (%d open items) of %d %stargets", why, least, count,
								request->live ? "available " : "");
	return effect;
}

/*
 * Hands the conversation to a human, for why; as the caller, or as
 * hubroute's own decision (as_hubroute: then a conversation that is gone,
 * closed or not the customer agent's is left alone). Returns the owner
 * (*has_owner false: none).
 */
int64
handoff_conversation(int64 conversation_id, const char *why, bool as_hubroute, bool *has_owner)
{
	const CustomerAgentSettings *settings;
	RoutingRequest request = {.kind = ITEM_CONVERSATION};
	RoutingDecision decision;
	ItemRow		row;
	int			effect;
	char	   *message_available;
	char	   *message_unavailable;

	*has_owner = false;
	counters_ready();
	if (!assign_lock_for_handoff(conversation_id, as_hubroute, &row))
	{
		if (as_hubroute)
			return 0;
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("conversation %lld does not exist", (long long) conversation_id)));
	}
	if (!row.open)
	{
		if (as_hubroute)
			return 0;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("conversation %lld is closed", (long long) conversation_id),
				 errhint("Only an open conversation is handed off; reopen it with status = 'open' first.")));
	}
	*has_owner = row.has_owner;
	if (!row.customer_agent)
		return row.owner_id;	/* humans have it already */
	lock_reference(REFERENCE_CHANNEL, row.channel_id);
	cache_refresh();
	settings = cache_customer_agent();
	request.item = &row;
	request.channel = integrity_item_channel(row.channel_id, ITEM_CONVERSATION);
	request.live = call_is(&request) || settings->process == HANDOFF_LIVE;
	if (settings->process == HANDOFF_NONE && !call_is(&request))
		return 0;				/* the customer agent keeps it */
	if (settings->workflow && !call_is(&request) && as_hubroute)
		return 0;				/* not built yet: see below */
	if (settings->workflow && !call_is(&request))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("handoff_mode 'workflow' is not supported yet"),
				 errhint("Use handoff_mode 'same_targets'.")));
	/* The UPDATE's triggers may build the cached configuration again. */
	message_available = settings->message_available ? pstrdup(settings->message_available) : NULL;
	message_unavailable = settings->message_unavailable ? pstrdup(settings->message_unavailable) : NULL;
	memset(&decision, 0, sizeof(decision));
	decision.at = decision_clock();
	effect = handoff_decide(&request, call_is(&request) ? &request.channel->targets : &request.channel->handoff,
							why, &decision);
	if (!assign_handoff(conversation_id, &decision, effect, as_hubroute))
		return 0;
	decision_log(ITEM_CONVERSATION, conversation_id, row.channel_id, &decision);
	if (decision.assigned ? message_available != NULL : message_unavailable != NULL)
		decision_post_message(ITEM_CONVERSATION, conversation_id,
							  decision.assigned ? message_available : message_unavailable);
	*has_owner = decision.assigned;
	return decision.user_id;
}

/* hubroute.handoff(conversation_id bigint, reason text) returns bigint */
Datum
hubroute_handoff(PG_FUNCTION_ARGS)
{
	int64		conversation_id;
	const char *why;
	int64		owner;
	bool		has_owner;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	conversation_id = PG_GETARG_INT64(0);
	why = PG_ARGISNULL(1) ? "handed off by hubroute.handoff()" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	owner = handoff_conversation(conversation_id, why, false, &has_owner);
	if (!has_owner)
		PG_RETURN_NULL();
	PG_RETURN_INT64(owner);
}
