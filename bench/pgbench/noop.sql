-- noop: statements on the configuration tables that change nothing routing
-- reads: no row, values set to themselves, a name. Run at a fixed rate
-- beside the inserting clients (-D ch0, nch, ubase, upc as for plain.sql).
\set k random(0, :nch - 1)
\set user :ubase + :k * :upc + random(1, :upc)
UPDATE hubroute.users SET available = available, seat = seat WHERE id = :user;
UPDATE hubroute.users SET name = 'agent ' || id WHERE id = :user;
UPDATE hubroute.channels SET distribution = distribution WHERE id = :ch0 + :k;
DELETE FROM hubroute.team_members WHERE team_id = -1;
