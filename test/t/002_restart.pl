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

my $counts = q{SELECT string_agg(user_id || '=' || open_tickets, ',' ORDER BY user_id) FROM hubroute.routing_load()};
my $tables = q{SELECT string_agg(owner_id || '=' || n, ',' ORDER BY owner_id)
                 FROM (SELECT owner_id, count(*) AS n FROM hubroute.tickets WHERE status = 'open' GROUP BY owner_id) t};
is($node->safe_psql('postgres', $counts), $node->safe_psql('postgres', $tables), 'counts equal the tables before');

# A transaction in flight at the crash: its item is gone, and so is its count.
my $open = $node->background_psql('postgres');
$open->query_safe('BEGIN');
$open->query_safe(q{INSERT INTO hubroute.tickets (channel_id) VALUES (10)});

$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', $counts), $node->safe_psql('postgres', $tables), 'counts equal the tables after a crash');

# Routing goes on: balanced goes to the user with the fewest open tickets, and
# the rotation continues after user 1.
is($node->safe_psql('postgres', q{INSERT INTO hubroute.tickets (channel_id) VALUES (10) RETURNING owner_id}),
	'3', 'balanced after the crash');
is($node->safe_psql('postgres', q{INSERT INTO hubroute.tickets (channel_id) VALUES (11) RETURNING owner_id}),
	'2', 'round robin after the crash');

$node->restart;
is($node->safe_psql('postgres', $counts), $node->safe_psql('postgres', $tables), 'counts equal the tables after a restart');
is($node->safe_psql('postgres', q{INSERT INTO hubroute.tickets (channel_id) VALUES (11) RETURNING owner_id}),
	'3', 'round robin after a restart');

$node->stop;
done_testing();
