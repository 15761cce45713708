-- hubroute, the customer agent: a conversation on its channel, then the
-- visitor's message asking for a human, which hands it to the least busy
-- handoff target (one transaction; -D ch0 as for plain.sql).
BEGIN;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (:ch0, 'bench') RETURNING id AS conversation \gset
INSERT INTO hubroute.messages (conversation_id, direction, body, asks_for_human)
VALUES (:conversation, 'incoming', 'a human please', true);
COMMIT;
