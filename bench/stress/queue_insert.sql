\set c random(10, 11)
\set p random(0, 2)
INSERT INTO hubroute.tickets (channel_id, subject, priority) VALUES (:c, 'n', :p);
