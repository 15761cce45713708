/*
 * hubroute.c: module entry.
 */
#include "hubroute.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Registers the callbacks: transaction ends for counts and pending
 * decisions, relcache invalidations for the caches; and, when preloaded,
 * the shared memory request.
 */
void
_PG_init(void)
{
	shared_state_init();
	relations_register_callbacks();
	counters_register_callbacks();
	pending_register_callbacks();
	config_changes_register_callbacks();
	cache_register_callbacks();
	decision_log_register_callbacks();
	drain_register_callbacks();
	events_define_setting();
}
