# pg_dump carries every hubroute table, and a restore, with pg_restore or with
# psql running a plain dump, gives back exactly what was dumped: no hubroute
# trigger changes data while the restore loads it (issue 8 §1). The source
# has messages (incoming ones, replies that assigned their author, a reply
# whose item was set back to unassigned by hand afterwards), manual changes,
# closes, notifications, imports; it keeps taking inserts, replies and
# closes while pg_dump runs. The restored databases are compared with the
# source, as pg_dump saw it, table by table.
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
	INSERT INTO hubroute.users (id, name, seat, available, ticket_capacity) VALUES
		(1, 'Ann', 'service', true, 3), (2, 'Bob', 'service', true, 3), (3, 'Cid', 'service', true, NULL),
		(4, 'Dee', 'service', false, NULL);
	INSERT INTO hubroute.teams (id, name) VALUES (1, 'Support');
	INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 1), (1, 2);
	INSERT INTO hubroute.workspaces VALUES (1, 'Help desk', 'helpdesk'), (2, 'Inbox', 'inbox');
	-- Channel 10 has a queue: Ann and Bob (capacity 3) take six of its
	-- tickets, the others wait, and the restore hands none of them over.
	INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, queue) VALUES
		(10, 1, 'email', 'support@', 'users_and_teams', 'balanced', true),
		(11, 1, 'form', 'form', 'users_and_teams', 'round_robin', false),
		(12, 1, 'chat', 'by owner', 'contact_owner', NULL, false),
		(13, 1, 'email', 'waiting room', 'nobody', NULL, false),
		(20, 2, 'chat', 'chat', 'users_and_teams', NULL, false),
		(21, 2, 'chat', 'nobody', 'nobody', NULL, false);
	INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES
		(10, 1), (10, 2), (11, 2), (11, 3), (20, 1), (20, 3);
	INSERT INTO hubroute.channel_targets (channel_id, team_id) VALUES (11, 1);
	INSERT INTO hubroute.contacts (id, name, owner_id, tracked) VALUES (100, 'Customer', 4, true);
	INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10, 't' || g FROM generate_series(1, 7) g;
	INSERT INTO hubroute.tickets (channel_id, subject) SELECT 11, 'f' || g FROM generate_series(1, 3) g;
	-- Dee, the contact's owner, is away: she gets it, and an e-mail.
	INSERT INTO hubroute.tickets (channel_id, contact_id, subject) VALUES (12, 100, 'for Dee');
	INSERT INTO hubroute.tickets (channel_id, subject) SELECT 13, 'w' || g FROM generate_series(1, 4) g;
	INSERT INTO hubroute.conversations (channel_id, subject) SELECT 20, 'c' || g FROM generate_series(1, 5) g;
	INSERT INTO hubroute.conversations (channel_id, subject) VALUES (21, 'nobody'), (21, 'nobody 2');
	-- An import, decided elsewhere.
	INSERT INTO hubroute.tickets (channel_id, subject, owner_id, assigned_at)
		VALUES (10, 'imported', 3, '2026-01-01 10:00+00');
	-- Messages: the customer writes; agents reply on waiting items, which
	-- assigns them; one of those is set back to unassigned by hand.
	INSERT INTO hubroute.messages (ticket_id, direction, body)
		SELECT id, 'incoming', 'help' FROM hubroute.tickets ORDER BY id;
	INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
		SELECT id, 'outgoing', 1, 'on it' FROM hubroute.tickets WHERE channel_id = 13 ORDER BY id;
	INSERT INTO hubroute.messages (conversation_id, direction, author_user_id, body)
		SELECT id, 'outgoing', 3, 'hello' FROM hubroute.conversations WHERE channel_id = 21 ORDER BY id;
	UPDATE hubroute.tickets SET owner_id = NULL
	 WHERE id = (SELECT min(id) FROM hubroute.tickets WHERE channel_id = 13);
	UPDATE hubroute.conversations SET owner_id = NULL
	 WHERE id = (SELECT min(id) FROM hubroute.conversations WHERE channel_id = 21);
	-- An outgoing message on an item someone else already owns.
	INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
		SELECT min(id), 'outgoing', 2, 'me too' FROM hubroute.tickets WHERE channel_id = 10;
	-- Closes and a reassignment.
	UPDATE hubroute.tickets SET status = 'closed' WHERE id IN (1, 4);
	UPDATE hubroute.tickets SET owner_id = 3 WHERE id = 2;
	-- The settings of SPEC §4: the customer agent's one row (the restore
	-- copies it over the one CREATE EXTENSION makes), its targets and
	-- phrases, hours and messages of a channel, a visitor's flagged
	-- message, a ticket made from a conversation.
	UPDATE hubroute.customer_agent
	   SET paused = true, handoff_process = 'async', handoff_mode = 'workflow', workflow_channel_id = 13,
	       message_available = 'A colleague takes over.', close_if_unassigned = true;
	INSERT INTO hubroute.handoff_targets (user_id) VALUES (3);
	INSERT INTO hubroute.handoff_targets (team_id) VALUES (1);
	INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('refund'), ('talk to a person');
	INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES
		(20, 1, '09:00', '17:00'), (20, 6, '22:00', '06:00');
	UPDATE hubroute.channels SET voicemail_message = 'We call back.', after_hours_message = 'Closed.' WHERE id = 20;
	INSERT INTO hubroute.messages (conversation_id, direction, body, asks_for_human, agent_cannot_answer)
		SELECT min(id), 'incoming', 'a human please', true, true FROM hubroute.conversations;
	INSERT INTO hubroute.tickets (channel_id, subject, conversation_id)
		SELECT 13, 'from a conversation', min(id) FROM hubroute.conversations;
});

# Every hubroute table, one row a line, in a fixed order.
my @tables = qw(users teams team_members workspaces workspace_teams channels channel_targets
	contacts skills user_skills tickets conversations messages assignments notifications
	customer_agent handoff_targets handoff_triggers channel_hours);
sub table_text
{
	my ($table) = @_;
	return "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM hubroute.$table t";
}

# The source keeps working while pg_dump runs: inserts, replies on waiting
# items, closes, in a loop of small transactions.
my $load = $node->background_psql('source');
$load->query_safe(q{
	CREATE PROCEDURE pg_temp.work(seconds float8) LANGUAGE plpgsql AS $$
	DECLARE
		stop timestamptz := clock_timestamp() + seconds * interval '1 second';
		waiting bigint;
	BEGIN
		WHILE clock_timestamp() < stop LOOP
			INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'during the dump');
			INSERT INTO hubroute.tickets (channel_id, subject) VALUES (13, 'waits') RETURNING id INTO waiting;
			INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
				VALUES (waiting, 'outgoing', 2, 'reply during the dump');
			UPDATE hubroute.tickets SET status = 'closed'
			 WHERE id = (SELECT max(id) FROM hubroute.tickets WHERE channel_id = 10 AND status = 'open');
			COMMIT;
		END LOOP;
	END;
	$$});
$load->query_until(qr/started/, q{
	\echo started
	CALL pg_temp.work(4);
});

# pg_dump reads one snapshot; this session reads the same, to compare.
my $snapshot_session = $node->background_psql('source');
$snapshot_session->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
my $snapshot = $snapshot_session->query_safe('SELECT pg_export_snapshot()');
chomp $snapshot;
my $dump = $node->basedir . '/source.dump';
my $plain = $node->basedir . '/source.sql';
$node->command_ok([ 'pg_dump', '-Fc', "--snapshot=$snapshot", '-d', $node->connstr('source'), '-f', $dump ],
	'pg_dump (custom format) while the source takes inserts, replies and closes');
$node->command_ok([ 'pg_dump', '-Fp', "--snapshot=$snapshot", '-d', $node->connstr('source'), '-f', $plain ],
	'pg_dump (plain) of the same snapshot');
my %dumped;
$dumped{$_} = $snapshot_session->query_safe(table_text($_)) for @tables;
$snapshot_session->query_safe('COMMIT');
$snapshot_session->quit;
$load->quit;

$node->safe_psql('postgres', 'CREATE DATABASE by_pg_restore');
$node->command_ok([ 'pg_restore', '-d', $node->connstr('by_pg_restore'), $dump ], 'pg_restore');
$node->safe_psql('postgres', 'CREATE DATABASE by_psql');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('by_psql'), '-f', $plain ],
	'psql restores the plain dump');

my $counts_match = q{SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check())};
for my $target (qw(by_pg_restore by_psql))
{
	for my $table (@tables)
	{
		is($node->safe_psql($target, table_text($table)), $dumped{$table},
			"$target: hubroute.$table is as dumped");
	}
	is($node->safe_psql($target, $counts_match), 't', "$target: routing's counts equal the tables");
}

# The restored databases route on from where the dump left off, alike.
my $next = q{INSERT INTO hubroute.tickets (channel_id) VALUES (10), (11), (11), (11) RETURNING owner_id};
is($node->safe_psql('by_psql', $next), $node->safe_psql('by_pg_restore', $next),
	'the next inserts route the same in both restored databases');
is($node->safe_psql('by_pg_restore', q{
	INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body)
	SELECT min(id), 'outgoing', 2, 'after the restore' FROM hubroute.tickets
	 WHERE channel_id = 13 AND owner_id IS NULL AND status = 'open';
	SELECT owner_id FROM hubroute.tickets
	 WHERE id = (SELECT max(ticket_id) FROM hubroute.messages WHERE body = 'after the restore')}),
	'2', 'a reply after the restore assigns its author again');

$node->stop;
done_testing();
