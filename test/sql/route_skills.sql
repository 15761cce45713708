-- route_skills: hubroute.route_ticket() and hubroute.route_conversation() on
-- items with required_skills in a use_skills channel give each item only to
-- a user who has every one of its skills (SPEC §2, eligibility rule 4).
-- Issue 7 §1: the old code read the item's skills array after SPI_finish()
-- had freed it, so an item went to a user without the skill, or the call
-- failed with "array size exceeds the maximum allowed". Many items with
-- different skill sets make a misread show.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Skills 1..4; skill 5 nobody has.
INSERT INTO hubroute.skills (id, name) VALUES
    (1, 'english'), (2, 'dutch'), (3, 'billing'), (4, 'technical'), (5, 'klingon');
INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cas', 'service'),
    (4, 'Dan', 'service'), (5, 'Eve', 'service');
-- Ann {1,3}, Bob {1,4}, Cas {2,3,4}, Dan {1,2,3,4}, Eve none.
INSERT INTO hubroute.user_skills (user_id, skill_id) VALUES
    (1, 1), (1, 3), (2, 1), (2, 4), (3, 2), (3, 3), (3, 4),
    (4, 1), (4, 2), (4, 3), (4, 4);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk'), (2, 'Sales', 'inbox');
-- Both channels route nobody while the items come in: they wait unassigned.
INSERT INTO hubroute.channels (id, workspace_id, kind, name, use_skills) VALUES
    (10, 1, 'email', 'support mail', true), (20, 2, 'chat', 'sales chat', true);
INSERT INTO hubroute.channel_targets (channel_id, user_id)
SELECT c, u FROM (VALUES (10), (20)) ch(c), generate_series(1, 5) u;

-- Every skill set three times over, on both kinds of item.
CREATE TEMP TABLE skill_sets (skills bigint[]);
INSERT INTO skill_sets VALUES ('{1}'), ('{2}'), ('{3}'), ('{4}'), ('{1,3}'), ('{1,4}'),
    ('{2,3}'), ('{2,4}'), ('{3,4}'), ('{2,3,4}'), ('{1,2,3,4}'), ('{}'), ('{5}'), ('{1,5}');
CREATE FUNCTION pg_temp.add_items(label text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO hubroute.tickets (channel_id, subject, required_skills)
    SELECT 10, label || ' ' || s.skills::text, s.skills FROM skill_sets s, generate_series(1, 3);
    INSERT INTO hubroute.conversations (channel_id, subject, required_skills)
    SELECT 20, label || ' ' || s.skills::text, s.skills FROM skill_sets s, generate_series(1, 3);
$$;
SELECT pg_temp.add_items('first');
SELECT count(*) AS waiting FROM hubroute.unassigned;

-- The DBA turns routing on; each waiting item is routed now, one call each,
-- all in one statement.
UPDATE hubroute.channels SET assign_to = 'users_and_teams', distribution = 'balanced';
SELECT count(hubroute.route_ticket(id)) AS tickets_assigned
  FROM (SELECT id FROM hubroute.tickets ORDER BY id) t;
SELECT count(hubroute.route_conversation(id)) AS conversations_assigned
  FROM (SELECT id FROM hubroute.conversations ORDER BY id) c;

-- More items come in while routing is off, then are routed one call at a
-- time while an agent UI saves Eve's status before each call: the routing
-- configuration is reloaded at every call (and memory freed before is
-- reused, which is how a dangling pointer to the skills shows).
UPDATE hubroute.channels SET assign_to = 'nobody';
SELECT pg_temp.add_items('second');
UPDATE hubroute.channels SET assign_to = 'users_and_teams';
CREATE FUNCTION pg_temp.route(kind text, item bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hubroute.users SET available = true WHERE id = 5;
    IF kind = 'ticket' THEN
        RETURN hubroute.route_ticket(item);
    END IF;
    RETURN hubroute.route_conversation(item);
END;
$$;
SELECT count(pg_temp.route(kind, id)) AS assigned
  FROM (SELECT 'ticket' AS kind, id FROM hubroute.tickets WHERE subject LIKE 'second%'
        UNION ALL
        SELECT 'conversation', id FROM hubroute.conversations WHERE subject LIKE 'second%'
        ORDER BY 1, 2) i;

CREATE TEMP VIEW items AS
SELECT 'ticket' AS kind, id, subject, required_skills, owner_id FROM hubroute.tickets
UNION ALL
SELECT 'conversation', id, subject, required_skills, owner_id FROM hubroute.conversations;

-- Every owner has every skill its item requires; every item some user can
-- take was taken; only the items needing skill 5 wait.
SELECT bool_and(NOT EXISTS (SELECT unnest(i.required_skills)
                            EXCEPT SELECT us.skill_id FROM hubroute.user_skills us
                                    WHERE us.user_id = i.owner_id))
           FILTER (WHERE i.owner_id IS NOT NULL) AS owners_have_every_skill,
       bool_and((i.owner_id IS NULL) = (5 = ANY (i.required_skills))) AS unassigned_only_without_a_skilled_user,
       count(*) FILTER (WHERE i.owner_id IS NULL) AS unassigned
  FROM items i;
-- Who got a few of the skill sets: {2,3} only Cas and Dan may have,
-- {1,2,3,4} only Dan, {1,5} nobody.
SELECT i.required_skills, string_agg(DISTINCT u.name, ' ') AS owners, count(*) AS items
  FROM items i LEFT JOIN hubroute.users u ON u.id = i.owner_id
 WHERE i.required_skills IN ('{2,3}', '{1,2,3,4}', '{1,5}')
 GROUP BY i.required_skills ORDER BY i.required_skills;
-- Why the first tickets needing skill 5 wait: their routing decision says so.
SELECT a.ticket_id, a.user_id, a.method, a.reason
  FROM hubroute.assignments a JOIN hubroute.tickets t ON t.id = a.ticket_id
 WHERE t.subject = 'first {1,5}' AND a.method <> 'nobody'
 ORDER BY a.id;
-- The counts routing uses equal the tables.
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP VIEW items;
DROP TABLE skill_sets;
DROP FUNCTION pg_temp.add_items(text);
DROP FUNCTION pg_temp.route(text, bigint);
DROP EXTENSION hubroute CASCADE;
