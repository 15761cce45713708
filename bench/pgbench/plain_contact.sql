-- plain on the contact-owner channel: the client looks up the owner itself
-- (contact k is owned by user ubase + 1 + (k - 1) % upc, see bench/setup.sql).
\set contact random(1, :ncontacts)
\set owner :ubase + 1 + (:contact - 1) % :upc
INSERT INTO bench.plain_tickets (channel_id, subject, contact_id, owner_id, assigned_at)
VALUES (:ch0, 'bench', :contact, :owner, now());
