# A change of availability made in a prepared transaction (two-phase
# commit) reaches every session's cached configuration when it is committed
# or rolled back with COMMIT PREPARED or ROLLBACK PREPARED, which may come
# from another session than the one that prepared it (issue 8 §5: other
# availability changes are published by their own session at commit, so a
# prepared one invalidates the copies instead).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('prepared');
$node->init;
$node->append_conf('postgresql.conf', 'max_prepared_transactions = 5');
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION hubroute;
	INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'a', 'service'), (2, 'b', 'service');
	INSERT INTO hubroute.workspaces VALUES (1, 'desk', 'helpdesk');
	INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
		(10, 1, 'email', 'mail', 'users_and_teams', 'least_busy');
	INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2);
});

# A routing session that stays connected, and so keeps its copy. Two
# tickets, each closed at once: each user that may own one gets one.
my $router = $node->background_psql('postgres');
$router->query_safe('SELECT 1');
sub route_two { return $router->query_safe(q{
	INSERT INTO hubroute.tickets (channel_id) VALUES (10), (10);
	UPDATE hubroute.tickets SET status = 'closed' WHERE status = 'open' RETURNING owner_id}) }

my $both = route_two();
is(join(' ', sort split /\s+/, $both), '1 2', 'both users routed to at first');

# User 1 goes away in a prepared transaction; another session commits it.
my $preparer = $node->background_psql('postgres');
$preparer->query_safe(q{BEGIN; UPDATE hubroute.users SET available = false WHERE id = 1;
	PREPARE TRANSACTION 'away'});
is(join(' ', sort split /\s+/, route_two()), '1 2', 'prepared, not committed: user 1 still routed to');
my $preparer_copy = $preparer->query_safe(q{
	INSERT INTO hubroute.tickets (channel_id) VALUES (10), (10);
	UPDATE hubroute.tickets SET status = 'closed' WHERE status = 'open' RETURNING owner_id});
is(join(' ', sort split /\s+/, $preparer_copy), '1 2',
	'the preparing session, its transaction prepared, routes by what is committed');
$node->safe_psql('postgres', q{COMMIT PREPARED 'away'});
is(route_two(), "2\n2", 'committed by another session: user 1 skipped');

# Back again in a prepared transaction that is rolled back: nothing changes.
$preparer->query_safe(q{BEGIN; UPDATE hubroute.users SET available = true WHERE id = 1;
	PREPARE TRANSACTION 'back'});
$node->safe_psql('postgres', q{ROLLBACK PREPARED 'back'});
is(route_two(), "2\n2", 'rolled back: user 1 still away');
is($preparer->query_safe(q{
	INSERT INTO hubroute.tickets (channel_id) VALUES (10), (10);
	UPDATE hubroute.tickets SET status = 'closed' WHERE status = 'open' RETURNING owner_id}), "2\n2",
	'the preparing session too');

# A transaction that made an item wait in a queue is not prepared: other
# sessions learn of waiting items when the session that made them wait
# commits (src/drain.c), and COMMIT PREPARED may come from another.
$node->safe_psql('postgres', q{UPDATE hubroute.channels SET queue = true WHERE id = 10;
	UPDATE hubroute.users SET ticket_capacity = 0});
my ($rc, $out, $err) = $node->psql('postgres', q{BEGIN;
	INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'waits');
	PREPARE TRANSACTION 'waits'});
like($err, qr/cannot PREPARE a transaction that made hubroute items wait in a queue/,
	'a transaction that made an item wait in a queue is refused PREPARE');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_prepared_xacts}), '0', 'nothing was prepared');

is($node->safe_psql('postgres', q{SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check())}), 't',
	'counts equal the tables');
$router->quit;
$preparer->quit;
$node->stop;
done_testing();
