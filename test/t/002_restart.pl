# The counts routing compares live in shared memory: after a crash (and an
# ordinary restart) they are loaded again from the tables, and routing goes
# on exactly where it left off, round-robin rotation included.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('restart');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION hubroute;
	INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'a', 'service'), (2, 'b', 'service'), (3, 'c', 'service');
	INSERT INTO hubroute.workspaces VALUES (1, 'desk', 'helpdesk');
	INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
		(10, 1, 'email', 'mail', 'users_and_teams', 'balanced'),
		(11, 1, 'form', 'form', 'users_and_teams', 'round_robin');
	INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (10, 3), (11, 1), (11, 2), (11, 3);
	INSERT INTO hubroute.tickets (channel_id) SELECT 10 FROM generate_series(1, 5);
	INSERT INTO hubroute.tickets (channel_id) VALUES (11);
	UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1;
});

# routing_load_check() lists every user whose counts in routing differ from
# counting the tables (open items and last decision): none.
my $counts_match = q{SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check())};
is($node->safe_psql('postgres', $counts_match), 't', 'counts equal the tables before');

# A transaction in flight at the crash: its item is gone, and so is its count.
my $open = $node->background_psql('postgres');
$open->query_safe('BEGIN');
$open->query_safe(q{INSERT INTO hubroute.tickets (channel_id) VALUES (10)});

$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', $counts_match), 't', 'counts equal the tables after a crash');

# Routing goes on: balanced goes to the user with the fewest open tickets, and
# the rotation continues after user 1.
is($node->safe_psql('postgres', q{INSERT INTO hubroute.tickets (channel_id) VALUES (10) RETURNING owner_id}),
	'3', 'balanced after the crash');
is($node->safe_psql('postgres', q{INSERT INTO hubroute.tickets (channel_id) VALUES (11) RETURNING owner_id}),
	'2', 'round robin after the crash');

$node->restart;
is($node->safe_psql('postgres', $counts_match), 't', 'counts equal the tables after a restart');
is($node->safe_psql('postgres', q{INSERT INTO hubroute.tickets (channel_id) VALUES (11) RETURNING owner_id}),
	'3', 'round robin after a restart');

# The first write after a restart loads the counts; what it loads must not
# include that transaction's own changes, which count on their own (at
# commit, or never after a rollback).
sub first_write_after_restart
{
	my ($sql, $name) = @_;
	$node->restart;
	$node->safe_psql('postgres', $sql);
	is($node->safe_psql('postgres', $counts_match), 't', "counts equal the tables: $name");
}
my $open_owned = q{(SELECT min(id) FROM hubroute.tickets WHERE status = 'open' AND owner_id IS NOT NULL)};
first_write_after_restart("DELETE FROM hubroute.tickets WHERE id = $open_owned",
	'first write after a restart is a delete');
first_write_after_restart("BEGIN; DELETE FROM hubroute.tickets WHERE id = $open_owned; ROLLBACK",
	'first write after a restart is a delete rolled back');
first_write_after_restart("UPDATE hubroute.tickets SET status = 'closed' WHERE id = $open_owned",
	'first write after a restart is a close');
first_write_after_restart(q{BEGIN;
	SET LOCAL session_replication_role = replica;
	UPDATE hubroute.tickets SET owner_id = 1 WHERE owner_id IS NOT NULL;
	SET LOCAL session_replication_role = origin;
	INSERT INTO hubroute.tickets (channel_id) VALUES (10);
	ROLLBACK},
	'counts loaded inside a transaction that rolls back its unrouted changes');

$node->stop;
done_testing();
