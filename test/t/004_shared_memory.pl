# hubroute's shared memory stays bounded (issue 8 §4): slots only for the
# users routing needs (pool members, owners it counts), and the state of a
# database freed once the database is dropped. Twenty databases of 100,000
# users each route and are dropped; a new database then routes, and
# hubroute.shared_memory() is back where it started. (The old code kept a
# slot for every user of every database that ever routed, and freed
# nothing: 2,000,000 slots here.)
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('shared_memory');
$node->init;
$node->start;

# A help desk of 100,000 users, a pool of 20 of them, ten routed tickets.
my $help_desk = q{
	CREATE EXTENSION hubroute;
	INSERT INTO hubroute.users (id, name, seat) SELECT g, 'user ' || g, 'service' FROM generate_series(1, 100000) g;
	INSERT INTO hubroute.workspaces VALUES (1, 'Help desk', 'helpdesk');
	INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
		(10, 1, 'email', 'support', 'users_and_teams', 'balanced'),
		(11, 1, 'form', 'turns', 'users_and_teams', 'round_robin');
	INSERT INTO hubroute.channel_targets (channel_id, user_id) SELECT 10, g FROM generate_series(1, 20) g;
	INSERT INTO hubroute.channel_targets (channel_id, user_id) SELECT 11, g FROM generate_series(1, 20) g;
	INSERT INTO hubroute.tickets (channel_id, subject) SELECT 10 + g % 2, 'ticket ' || g FROM generate_series(1, 10) g;
};
my $usage = q{SELECT databases || ' ' || user_slots || ' ' || rotations || ' ' || bytes FROM hubroute.shared_memory()};

$node->safe_psql('postgres', $help_desk);
my ($databases, $slots, $rotations, $bytes) = split / /, $node->safe_psql('postgres', $usage);
is($databases, 1, 'one database has a routing state');
is($slots, 20, 'with a slot for each of the 20 pool members, not for its 100,000 users');
my @start = ($databases, $slots, $rotations, $bytes);

my $most = $bytes;
for my $i (1 .. 20)
{
	$node->safe_psql('postgres', "CREATE DATABASE desk_$i");
	$node->safe_psql("desk_$i", $help_desk);
	my @now = split / /, $node->safe_psql("desk_$i", $usage);
	$most = $now[3] if $now[3] > $most;
	$node->safe_psql('postgres', "DROP DATABASE desk_$i");
}
cmp_ok($most, '<=', 3 * $bytes, "at most the states of three databases at once ($most bytes)");

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', $help_desk);
is_deeply([ split / /, $node->safe_psql('fresh', $usage) ],
	[ $start[0] + 1, 2 * $start[1], 2 * $start[2], 2 * $start[3] ],
	'after twenty databases came and went, a new one takes what the first took');
$node->safe_psql('postgres', 'DROP DATABASE fresh');
is_deeply([ split / /, $node->safe_psql('postgres', $usage) ], \@start,
	'and once it is dropped too, the shared state is back where it started');
is($node->safe_psql('postgres', q{SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check())}), 't',
	"routing's counts equal the tables");

$node->stop;
done_testing();
