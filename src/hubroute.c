/*
 * hubroute.c: module entry.
 */
#include "hubroute.h"

#include "fmgr.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Registers the transaction callbacks that drop pending decisions. */
void
_PG_init(void)
{
	pending_register_callbacks();
}
