# pg_dump carries every hubroute table; a restore routes nothing again, logs
# no new decisions, and rebuilds the load counters from the restored items.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', q{
	CREATE EXTENSION hubroute;
	INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cid', 'service');
	INSERT INTO hubroute.workspaces VALUES (1, 'Help desk', 'helpdesk'), (2, 'Inbox', 'inbox');
	INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
		(10, 1, 'email', 'support@', 'users_and_teams', 'balanced'),
		(11, 1, 'form', 'form', 'users_and_teams', 'round_robin'),
		(20, 2, 'chat', 'chat', 'users_and_teams', NULL),
		(21, 2, 'chat', 'nobody', 'nobody', NULL);
	INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (11, 2), (11, 3), (20, 1), (20, 3);
	INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 't' || g FROM generate_series(1, 7) g;
	INSERT INTO hubroute.tickets (channel_id, subject) SELECT 11, 'f' || g FROM generate_series(1, 3) g;
	INSERT INTO hubroute.conversations (channel_id, subject) SELECT 20, 'c' || g FROM generate_series(1, 5) g;
	INSERT INTO hubroute.conversations (channel_id, subject) VALUES (21, 'nobody');
	UPDATE hubroute.tickets SET status = 'closed' WHERE id IN (1, 4);
	UPDATE hubroute.tickets SET owner_id = 3 WHERE id = 2;
});

# What must survive: owners, decisions, the counts routing compares (loaded
# from the restored tables on first use), and the sequences. The rotation
# is read back from hubroute.assignments: the next inserts show it.
my $state = q{
	SELECT (SELECT string_agg(id || ':' || coalesce(owner_id::text, '-') || ':' || status, ',' ORDER BY id) FROM hubroute.tickets)
	    || ' | ' || (SELECT string_agg(id || ':' || coalesce(owner_id::text, '-'), ',' ORDER BY id) FROM hubroute.conversations)
	    || ' | ' || (SELECT count(*) FROM hubroute.assignments)
	    || ' | ' || (SELECT string_agg(user_id || '=' || open_tickets || '/' || open_conversations, ',' ORDER BY user_id) FROM hubroute.user_load)
	    || ' | ' || (SELECT string_agg(user_id || '=' || open_tickets || '/' || open_conversations, ',' ORDER BY user_id)
	                   FROM hubroute.routing_load())
};
my $before = $node->safe_psql('source', $state);

my $dump = $node->basedir . '/source.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('source'), '-f', $dump ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE target');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('target'), $dump ], 'pg_restore');

is($node->safe_psql('target', $state), $before, 'restored items, decisions and counts equal the source');

# routing_load_check() lists every user whose counts in routing differ from
# counting the tables (open items and last decision): none.
my $exact = q{SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check())};
is($node->safe_psql('target', $exact), 't', 'restored counters equal counting the tables');

# The restored database keeps routing where the source left off.
$node->safe_psql('source', q{INSERT INTO hubroute.tickets (channel_id) VALUES (10), (11), (11), (11)});
$node->safe_psql('target', q{INSERT INTO hubroute.tickets (channel_id) VALUES (10), (11), (11), (11)});
is($node->safe_psql('target', $state), $node->safe_psql('source', $state), 'the next inserts route the same in both');

$node->stop;
done_testing();
