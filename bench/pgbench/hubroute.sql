-- hubroute: the extension routes the ticket (a random channel of the set).
\set ch :ch0 + random(0, :nch - 1)
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (:ch, 'bench');
