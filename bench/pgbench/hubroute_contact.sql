-- hubroute on the contact-owner channel: a random tracked contact; the
-- extension gives the ticket to the contact's owner.
\set contact random(1, :ncontacts)
INSERT INTO hubroute.tickets (channel_id, subject, contact_id) VALUES (:ch0, 'bench', :contact);
