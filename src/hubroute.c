/*
 * hubroute.c: module entry.
 */
#include "hubroute.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(hubroute_routing_lock);

void		_PG_init(void);
Datum		hubroute_routing_lock(PG_FUNCTION_ARGS);

/* hubroute.routing_lock(): for the SQL functions that move counters. */
Datum
hubroute_routing_lock(PG_FUNCTION_ARGS)
{
	routing_lock();
	PG_RETURN_VOID();
}

/* Registers the transaction callbacks that drop pending decisions. */
void
_PG_init(void)
{
	pending_register_callbacks();
}
