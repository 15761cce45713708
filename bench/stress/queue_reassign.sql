\set u random(1, 10)
\set v random(1, 10)
BEGIN;
UPDATE hubroute.tickets SET owner_id = :v WHERE id = (SELECT id FROM hubroute.tickets WHERE owner_id = :u AND status = 'open' ORDER BY id DESC LIMIT 1);
UPDATE hubroute.users SET available = NOT available WHERE id = :v AND random() < 0.3;
COMMIT;
