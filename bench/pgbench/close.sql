-- close (SPEC §6): one open ticket of the set's channel closed per
-- transaction, the tickets bench/run.sh loaded before the run in id order
-- (client c of N closes ids c + 1, c + 1 + N, ...: -D closed=0 -D clients=N).
-- Variants close, close_cap and handover; in handover's state the close
-- hands the next waiting ticket to the user it freed.
\set closed :closed + 1
UPDATE hubroute.tickets SET status = 'closed' WHERE id = (:closed - 1) * :clients + :client_id + 1;
