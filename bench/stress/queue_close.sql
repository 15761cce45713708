\set u random(1, 10)
BEGIN;
UPDATE hubroute.tickets SET status = 'closed' WHERE id = (SELECT id FROM hubroute.tickets WHERE owner_id = :u AND status = 'open' ORDER BY id LIMIT 1);
COMMIT;
