-- close_insert (SPEC §6): what an application does without a queue, in one
-- transaction: close one ticket (as close.sql) and insert one ticket that
-- hubroute routes, on the set's channel (no queue, no capacities).
\set closed :closed + 1
BEGIN;
UPDATE hubroute.tickets SET status = 'closed' WHERE id = (:closed - 1) * :clients + :client_id + 1;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (:ch0, 'bench');
COMMIT;
