/*
 * triggers.c: what every trigger of hubroute's shares: how it knows it was
 * called as the trigger it must be, and when it must do nothing.
 *
 * The triggers themselves: item_triggers.c (tickets and conversations),
 * message_triggers.c (messages), config_changes.c (the configuration
 * tables), decision_log.c (the log), integrity.c (tables items refer to).
 */
#include "hubroute.h"

#include "commands/trigger.h"
#include "fmgr.h"

/*
 * Are changes being applied as a replica (session_replication_role =
 * replica: logical replication's apply worker, a DBA's bulk load)? Then the
 * rows come decided and hubroute changes nothing, logs nothing and counts
 * nothing, whatever its triggers' firing mode: a DBA who sets them ENABLE
 * ALWAYS on a subscriber must not make the apply worker log decisions
 * again. (rebuild_counters() counts such rows when needed.)
 */
bool
applying_replicated_changes(void)
{
	return SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA;
}

/* The trigger data of a row trigger call, or an error when called otherwise. */
TriggerData *
row_trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a row trigger", name)));
	return trigdata;
}
