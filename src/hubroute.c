/*
 * hubroute.c: module entry.
 */
#include "hubroute.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Registers the transaction callback that drops the pending overlay. */
void
_PG_init(void)
{
	counters_register_callbacks();
}
