-- handwritten: the PL/pgSQL trigger of bench/setup.sql routes the ticket.
\set ch :ch0 + random(0, :nch - 1)
INSERT INTO bench.hw_tickets (channel_id, subject) VALUES (:ch, 'bench');
