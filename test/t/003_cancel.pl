# A cancel (statement_timeout, pg_cancel_backend) is honoured while a big
# multi-row INSERT runs hubroute's AFTER ROW work (issue 8 §3): PostgreSQL
# checks for interrupts row by row while it inserts, but not between the
# AFTER ROW triggers it fires at the end of the statement, so hubroute
# checks there itself. The old code let a 300,000-row insert with a 1.8 s
# timeout commit after 3 s.
#
# Timed with the statement's own parts, not with a fixed budget: a first run
# measures when the last row has been inserted (a BEFORE trigger named to
# fire after hubroute's notes the time at the last row) and when the
# statement ends; the second run gets a statement_timeout that falls in the
# middle of its AFTER ROW work, and must be cancelled.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION hubroute;
	INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'a', 'service'), (2, 'b', 'service');
	INSERT INTO hubroute.workspaces VALUES (1, 'desk', 'helpdesk');
	INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
		(10, 1, 'email', 'mail', 'users_and_teams', 'balanced');
	INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2);
	CREATE FUNCTION public.note_last_row() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF NEW.subject = 'last' THEN
			PERFORM set_config('test.rows_done', clock_timestamp()::text, false);
		END IF;
		RETURN NEW;
	END $$;
	CREATE TRIGGER zz_note_last_row BEFORE INSERT ON hubroute.tickets
		FOR EACH ROW EXECUTE FUNCTION public.note_last_row();
});

my $rows = 200000;
my $insert = "INSERT INTO hubroute.tickets (channel_id, subject)
	SELECT 10, CASE WHEN g = $rows THEN 'last' ELSE 'bulk' END FROM generate_series(1, $rows) g";

# The first run: when the rows are in, and when the statement ends.
my ($rows_ms, $total_ms) = split /\|/, $node->safe_psql('postgres', qq{
	BEGIN;
	DO \$\$ BEGIN PERFORM set_config('test.start', clock_timestamp()::text, false); END \$\$;
	$insert;
	SELECT extract(epoch FROM current_setting('test.rows_done')::timestamptz
	                          - current_setting('test.start')::timestamptz) * 1000
	       || '|' || extract(epoch FROM clock_timestamp() - current_setting('test.start')::timestamptz) * 1000;
	ROLLBACK;
});
ok($total_ms > $rows_ms, "the AFTER ROW work takes time after the last row is in ($rows_ms ms of $total_ms ms)");

# The second run, one autocommit statement, cancelled in the middle of its
# AFTER ROW work. (The old code finished the statement and committed it;
# the cancel then hit the session's next statement instead.)
my $timeout = int(($rows_ms + $total_ms) / 2);
my ($ret, $stdout, $stderr) = $node->psql('postgres', $insert,
	connstr => $node->connstr('postgres') . " options='-c statement_timeout=$timeout'");
like($stderr, qr/canceling statement due to statement timeout/,
	"a statement_timeout of $timeout ms cancels the insert during its AFTER ROW work");
is($node->safe_psql('postgres', q{SELECT count(*) FROM hubroute.tickets}), '0', 'nothing of it was committed');
is($node->safe_psql('postgres', q{SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check())}), 't',
	"routing's counts equal the tables after the cancel");

$node->stop;
done_testing();
