EXTENSION = hubroute
MODULE_big = hubroute
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA = $(wildcard sql/*--*.sql)
PG_CFLAGS = -Wall -Wextra -Werror

TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test
SPECS = $(sort $(wildcard test/specs/*.spec))
ISOLATION = $(patsubst test/specs/%.spec,%,$(SPECS))
ISOLATION_OPTS = --inputdir=test
EXTRA_CLEAN = results output_iso regression.diffs regression.out

PG_CONFIG ?= pg_config
# The server headers are included as system headers: -Wextra then judges our
# code, not theirs (they have unused parameters in inline functions).
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server)
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track headers: every object depends on the shared one.
$(OBJS): src/hubroute.h

.PHONY: prove
prove:
	pg_prove --ext .sql test/pgtap/

# The benchmark (as root): plain vs hubroute vs a hand-written router; see bench/run.sh.
.PHONY: bench
bench:
	bash bench/run.sh
