EXTENSION = hubroute
MODULE_big = hubroute
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'$$/\1/p" $(EXTENSION).control)
# The current version's script is built from sql/hubroute.sql; older
# versions' scripts stay only to install them and update from them.
DATA = sql/hubroute--0.1.sql sql/hubroute--0.2.sql $(wildcard sql/*--*--*.sql)
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
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

# The check build, `make HUBROUTE_CHECKS=1` (test/run_all.sh builds this one;
# the demo and the benchmark build the normal one): our own Asserts compiled
# in (the server's stay as Debian built them: ExceptionalCondition exists in
# a server without assertions too), the code under #ifdef HUBROUTE_CHECKS,
# and debug information for valgrind's stack traces (Debian's CFLAGS have -g
# and -fno-omit-frame-pointer already; -g is named so the check build keeps
# it with any pg_config). Optimisation stays at the server's -O2: valgrind
# names every frame from the debug information, inlined ones included, with
# file and line, so the tests run the code as it ships.
ifeq ($(HUBROUTE_CHECKS),1)
PG_CPPFLAGS += -DUSE_ASSERT_CHECKING -DHUBROUTE_CHECKS
PG_CFLAGS += -g
endif
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql
	cp $< $@

# PGXS does not track headers: every object depends on the shared one.
$(OBJS): src/hubroute.h

.PHONY: prove
prove:
	pg_prove --ext .sql test/pgtap/

# The benchmark (as root): plain vs hubroute vs a hand-written router; see bench/run.sh.
.PHONY: bench
bench:
	bash bench/run.sh
