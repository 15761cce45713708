-- toggle: an agent of a random channel of the set goes away and comes back
-- (two committed changes of availability; -D ch0, nch, ubase, upc as for
-- plain.sql). Run at a fixed rate beside the inserting clients.
\set k random(0, :nch - 1)
\set user :ubase + :k * :upc + random(1, :upc)
UPDATE hubroute.users SET available = false WHERE id = :user;
\sleep 5 ms
UPDATE hubroute.users SET available = true WHERE id = :user;
