-- plain: no router; the client picks the owner, a random user of the pool of
-- a random channel of the set (-D ch0, nch, ubase, upc: see bench/run.sh).
\set k random(0, :nch - 1)
\set ch :ch0 + :k
\set owner :ubase + :k * :upc + random(1, :upc)
INSERT INTO bench.plain_tickets (channel_id, subject, owner_id, assigned_at)
VALUES (:ch, 'bench', :owner, now());
