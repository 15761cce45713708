# Reporting off the primary (issue 8 §6).
#  - A streaming standby serves user_load, unassigned and the tables while
#    the primary routes; nothing there writes or needs routing's shared
#    state. Promoted, it routes on, its counts loaded from its tables.
#  - A logical-replication subscriber of the item tables keeps the owners it
#    receives and routes, logs and counts nothing, even with hubroute's item
#    triggers set ENABLE ALWAYS (the old code logged a second 'manual' row
#    in the apply worker, which collided on assignments_pkey and stalled
#    replication for good).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $config = q{
	CREATE EXTENSION hubroute;
	INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cid', 'service');
	INSERT INTO hubroute.workspaces VALUES (1, 'Help desk', 'helpdesk'), (2, 'Inbox', 'inbox');
	INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
		(10, 1, 'email', 'support', 'users_and_teams', 'balanced'),
		(11, 1, 'form', 'waiting', 'nobody', NULL),
		(20, 2, 'chat', 'chat', 'users_and_teams', 'round_robin');
	INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (20, 2), (20, 3);
};
my $report = q{
	SELECT (SELECT string_agg(user_id || '=' || open_tickets || '/' || open_conversations, ',' ORDER BY user_id)
	          FROM hubroute.user_load)
	    || ' | ' || (SELECT string_agg(kind || id, ',' ORDER BY kind, id) FROM hubroute.unassigned)
	    || ' | ' || (SELECT string_agg(id || ':' || coalesce(owner_id::text, '-') || ':' || status, ',' ORDER BY id)
	                   FROM hubroute.tickets)
	    || ' | ' || (SELECT string_agg(id || ':' || coalesce(owner_id::text, '-'), ',' ORDER BY id)
	                   FROM hubroute.conversations)
};
my $counts_match = q{SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check())};

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 'logical');
$primary->start;
$primary->safe_psql('postgres', $config);
$primary->safe_psql('postgres', q{INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 'before' FROM generate_series(1, 4)});

# A streaming standby.
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

# The primary routes, reassigns, closes, takes replies; each time the
# standby reports the same as the primary.
for my $work (
	q{INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 'more' FROM generate_series(1, 5)},
	q{INSERT INTO hubroute.conversations (channel_id, subject) SELECT 20, 'chat' FROM generate_series(1, 4)},
	q{INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'waits'), (11, 'waits too')},
	q{UPDATE hubroute.tickets SET status = 'closed' WHERE id IN (1, 2)},
	q{UPDATE hubroute.tickets SET owner_id = 3 WHERE id = 3},
	q{INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
	  SELECT min(id), 'outgoing', 1, 'on it' FROM hubroute.tickets WHERE channel_id = 11})
{
	$primary->safe_psql('postgres', $work);
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
	is($standby->safe_psql('postgres', $report), $primary->safe_psql('postgres', $report),
		"the standby reports what the primary holds after: " . (split /\n/, $work)[0]);
}
is($standby->safe_psql('postgres', q{SELECT databases FROM hubroute.shared_memory()}), '0',
	'reporting on the standby needed no routing state');

# Promoted, the standby routes on: its counts come from its tables, and its
# sequences from the primary's WAL.
$primary->stop;
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()') or die 'not promoted';
is($standby->safe_psql('postgres', q{INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'after promotion') RETURNING owner_id IS NOT NULL}),
	't', 'the promoted standby routes');
is($standby->safe_psql('postgres', $counts_match), 't', "the promoted standby's counts equal its tables");
is($standby->safe_psql('postgres', q{SELECT count(*) = count(DISTINCT id) FROM hubroute.assignments}), 't',
	'its log ids go on from the primary\'s');
$standby->stop;
$primary->start;

# A logical subscriber of the item tables, with hubroute and the same
# configuration, and hubroute's item triggers set ENABLE ALWAYS by a DBA.
my $subscriber = PostgreSQL::Test::Cluster->new('subscriber');
$subscriber->init;
$subscriber->start;
$subscriber->safe_psql('postgres', $config);
$subscriber->safe_psql('postgres', q{
	ALTER TABLE hubroute.tickets ENABLE ALWAYS TRIGGER hubroute_route;
	ALTER TABLE hubroute.tickets ENABLE ALWAYS TRIGGER hubroute_assign;
	ALTER TABLE hubroute.tickets ENABLE ALWAYS TRIGGER hubroute_count_insert;
	ALTER TABLE hubroute.tickets ENABLE ALWAYS TRIGGER hubroute_count_update;
	ALTER TABLE hubroute.tickets ENABLE ALWAYS TRIGGER hubroute_count_delete;
	ALTER TABLE hubroute.conversations ENABLE ALWAYS TRIGGER hubroute_route;
	ALTER TABLE hubroute.conversations ENABLE ALWAYS TRIGGER hubroute_assign;
	ALTER TABLE hubroute.conversations ENABLE ALWAYS TRIGGER hubroute_count_insert;
	ALTER TABLE hubroute.conversations ENABLE ALWAYS TRIGGER hubroute_count_update;
});
$primary->safe_psql('postgres', q{CREATE PUBLICATION items FOR TABLE hubroute.tickets, hubroute.conversations});
(my $publisher = $primary->connstr('postgres')) =~ s/'/''/g;
$subscriber->safe_psql('postgres', "CREATE SUBSCRIPTION items CONNECTION '$publisher' PUBLICATION items");
$primary->wait_for_catchup('items');
$subscriber->poll_query_until('postgres',
	q{SELECT count(*) = 0 FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')}) or die 'no initial sync';

my $owners = q{SELECT string_agg(id || ':' || coalesce(owner_id::text, '-') || ':' || status, ',' ORDER BY id) FROM hubroute.tickets};
for my $work (
	q{INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 'published' FROM generate_series(1, 3)},
	q{UPDATE hubroute.tickets SET owner_id = 1 WHERE id = (SELECT max(id) FROM hubroute.tickets)},
	q{UPDATE hubroute.tickets SET owner_id = NULL WHERE id = (SELECT max(id) FROM hubroute.tickets)},
	q{UPDATE hubroute.tickets SET status = 'closed' WHERE id = (SELECT min(id) FROM hubroute.tickets WHERE status = 'open')})
{
	$primary->safe_psql('postgres', $work);
	$primary->wait_for_catchup('items');
	is($subscriber->safe_psql('postgres', $owners), $primary->safe_psql('postgres', $owners),
		"the subscriber keeps the owners it receives after: $work");
}
is($subscriber->safe_psql('postgres', q{SELECT count(*) FROM hubroute.assignments}), '0',
	'the subscriber logged no decision');
ok(!$subscriber->log_contains('duplicate key value violates unique constraint'),
	'the apply worker never failed');

$subscriber->stop;
$primary->stop;
done_testing();
