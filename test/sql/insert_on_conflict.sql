-- insert_on_conflict: rows routed by their BEFORE INSERT trigger but never
-- inserted (INSERT ... ON CONFLICT DO NOTHING, an upsert's DO UPDATE, a
-- later BEFORE trigger returning NULL) leave no trace: no count, no move of
-- a round-robin rotation, no log row, and the rows after them in the same
-- statement are routed as if they had never been decided (SPEC §2; issue 7
-- §3). The old code counted skipped rows, moved the rotation (owners 1, 3, 1
-- instead of 1, 2, 3), and, keying waiting decisions by id only, logged the
-- decision of a skipped row for the inserted row with the same id.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat)
SELECT id, name, 'service'
  FROM unnest(ARRAY['Ann', 'Bob', 'Cas', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal', 'Ida', 'Jon', 'Kim', 'Lea'])
       WITH ORDINALITY AS u(name, id);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk');
-- One pool per part, so that each part starts with nobody assigned.
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (1, 1, 'email', 'manual', 'nobody', NULL),
    (10, 1, 'email', 'a: Ann Bob Cas', 'users_and_teams', 'balanced'),
    (20, 1, 'email', 'b: Dan Eve Fay', 'users_and_teams', 'round_robin'),
    (30, 1, 'email', 'c: Gus', 'users_and_teams', 'balanced'),
    (40, 1, 'email', 'd: Hal Ida', 'users_and_teams', 'balanced'),
    (50, 1, 'email', 'e: Jon Kim Lea', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES
    (10, 1), (10, 2), (10, 3), (20, 4), (20, 5), (20, 6), (30, 7),
    (40, 8), (40, 9), (50, 10), (50, 11), (50, 12);

-- The owners of a channel's tickets, in id order.
CREATE FUNCTION pg_temp.owners(channel bigint) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(COALESCE(u.name, '-'), ' ' ORDER BY t.id)
      FROM hubroute.tickets t LEFT JOIN hubroute.users u ON u.id = t.owner_id
     WHERE t.channel_id = channel
$$;
-- Every ticket has exactly one log row, and it names the ticket's owner and channel.
CREATE VIEW pg_temp.log_matches AS
SELECT bool_and(n = 1 AND same_owner AND same_channel) AS log_matches_rows
  FROM (SELECT count(a.id) AS n,
               bool_and(a.user_id IS NOT DISTINCT FROM t.owner_id) AS same_owner,
               bool_and(a.channel_id = t.channel_id) AS same_channel
          FROM hubroute.tickets t LEFT JOIN hubroute.assignments a ON a.ticket_id = t.id
         GROUP BY t.id) s;
CREATE VIEW pg_temp.counts_match AS
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- Tickets that already exist, on the manual channel: 1001 and 1002.
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (1001, 1, 'exists'), (1002, 1, 'exists');

------------------------------------------------------------------------------
-- (a) Multi-row INSERT ... ON CONFLICT DO NOTHING into a balanced pool: two
-- of five rows are skipped; the three inserted go one to each.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES
    (1001, 10, 'skipped'), (101, 10, 'a1'), (1002, 10, 'skipped'), (102, 10, 'a2'), (103, 10, 'a3')
    ON CONFLICT (id) DO NOTHING;
SELECT pg_temp.owners(10) AS a_owners;
SELECT count(DISTINCT owner_id) = 3 AS a_one_each FROM hubroute.tickets WHERE channel_id = 10;
SELECT * FROM pg_temp.log_matches, pg_temp.counts_match;

------------------------------------------------------------------------------
-- (b) Round robin, three members, and a retried duplicate: 1, 2, 3.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (201, 20, 'b1');
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (201, 20, 'b1 retried')
    ON CONFLICT (id) DO NOTHING;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (202, 20, 'b2');
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (203, 20, 'b3');
SELECT pg_temp.owners(20) AS b_owners, pg_temp.owners(20) = 'Dan Eve Fay' AS b_rotation_kept;
SELECT * FROM pg_temp.log_matches, pg_temp.counts_match;

------------------------------------------------------------------------------
-- (c) Two rows with the same id in one statement: the first is inserted
-- (channel 30, Gus), the second skipped (it would have gone to channel 10).
-- The one log row for that id is the first row's.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES
    (301, 30, 'c stored'), (301, 10, 'c skipped')
    ON CONFLICT (id) DO NOTHING;
SELECT t.subject, u.name AS owner, t.channel_id FROM hubroute.tickets t
  JOIN hubroute.users u ON u.id = t.owner_id WHERE t.id = 301;
SELECT a.user_id, a.channel_id, a.method FROM hubroute.assignments a WHERE a.ticket_id = 301;
SELECT count(*) = 1 AND bool_and(a.user_id = t.owner_id AND a.channel_id = t.channel_id AND a.method = 'balanced')
       AS c_one_matching_log_row
  FROM hubroute.assignments a JOIN hubroute.tickets t ON t.id = a.ticket_id WHERE a.ticket_id = 301;
SELECT * FROM pg_temp.log_matches, pg_temp.counts_match;

------------------------------------------------------------------------------
-- (d) Upsert: an existing ticket (Hal's) is updated instead of inserted, in
-- a statement that also inserts a new one. The new one goes to Ida (Hal has
-- one); nothing is logged or counted for the row never inserted.
------------------------------------------------------------------------------
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (401, 40, 'd1');
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES
    (401, 40, 'd1 updated'), (402, 40, 'd2')
    ON CONFLICT (id) DO UPDATE SET subject = EXCLUDED.subject;
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (401, 40, 'd1 updated again')
    ON CONFLICT (id) DO UPDATE SET subject = EXCLUDED.subject;
-- both have one; the next goes to the less recently assigned, Hal
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (403, 40, 'd3');
SELECT t.id, t.subject, u.name AS owner FROM hubroute.tickets t
  JOIN hubroute.users u ON u.id = t.owner_id WHERE t.channel_id = 40 ORDER BY t.id;
SELECT count(*) FILTER (WHERE ticket_id = 401) = 1 AS d_upserted_logged_once,
       count(*) = 3 AS d_three_log_rows
  FROM hubroute.assignments WHERE channel_id = 40;
SELECT user_id, open_tickets FROM hubroute.routing_load() WHERE user_id IN (8, 9) ORDER BY user_id;
SELECT * FROM pg_temp.log_matches, pg_temp.counts_match;

------------------------------------------------------------------------------
-- (e) A DBA's BEFORE INSERT trigger that fires after hubroute_route skips
-- spam (RETURN NULL). Every skipped row's decision is taken back before the
-- next row is routed: the three real tickets go one to each.
------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.skip_spam() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.subject LIKE 'spam%' THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER zz_skip_spam BEFORE INSERT ON hubroute.tickets
    FOR EACH ROW EXECUTE FUNCTION pg_temp.skip_spam();
INSERT INTO hubroute.tickets (channel_id, subject) VALUES
    (50, 'spam 1'), (50, 'e1'), (50, 'spam 2'), (50, 'spam 3'), (50, 'e2'), (50, 'e3'), (50, 'spam 4');
DROP TRIGGER zz_skip_spam ON hubroute.tickets;
SELECT pg_temp.owners(50) AS e_owners;
SELECT count(DISTINCT owner_id) = 3 AS e_one_each FROM hubroute.tickets WHERE channel_id = 50;
SELECT count(*) = 3 AS e_three_log_rows FROM hubroute.assignments WHERE channel_id = 50;
SELECT * FROM pg_temp.log_matches, pg_temp.counts_match;

DROP VIEW pg_temp.log_matches, pg_temp.counts_match;
DROP EXTENSION hubroute CASCADE;
