-- privileges: an application role with rights on the item tables only can
-- insert and update items, and they are routed and counted (the trigger
-- functions are SECURITY DEFINER); hubroute.rebuild_counters() is not public,
-- hubroute.route_ticket() / route_conversation() are.
CREATE EXTENSION hubroute;

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (5, 'Eve', 'sales');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Support', 'helpdesk'), (2, 'Sales', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'support mail', 'users_and_teams', 'balanced'),
    (11, 1, 'form', 'support form', 'nobody', NULL),
    (20, 2, 'chat', 'sales chat', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (10, 2), (20, 5);

-- app: USAGE on the schema, INSERT/SELECT/UPDATE on the two item tables,
-- nothing else. outsider: no rights at all.
CREATE ROLE app;
CREATE ROLE outsider;
GRANT USAGE ON SCHEMA hubroute TO app;
GRANT INSERT, SELECT, UPDATE ON hubroute.tickets, hubroute.conversations TO app;

SET ROLE app;
-- The application inserts items: they are routed.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'from the app') RETURNING id, owner_id;
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'from the app 2') RETURNING id, owner_id;
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'chat from the app')
RETURNING id, owner_id;
-- An item on a 'nobody' channel, for route_ticket() below.
INSERT INTO hubroute.tickets (channel_id, subject) VALUES (11, 'waiting') RETURNING id, owner_id;
-- Manual assignment and closing work too.
UPDATE hubroute.tickets SET owner_id = 1 WHERE id = 2;
UPDATE hubroute.tickets SET status = 'closed' WHERE id = 1;
-- But app really has no rights on the routing tables.
SELECT count(*) FROM hubroute.users;
SELECT count(*) FROM hubroute.assignments;
UPDATE hubroute.assignments SET user_id = NULL;
-- Nor may it read routing's counts.
SELECT count(*) FROM hubroute.routing_load();
-- Nor on rebuild_counters().
SELECT hubroute.rebuild_counters();
RESET ROLE;

-- Everything was logged and counted.
SELECT ticket_id, conversation_id, user_id, method FROM hubroute.assignments ORDER BY id;
SELECT user_id, open_tickets, open_conversations FROM hubroute.user_load ORDER BY user_id;

-- A role with no rights cannot call rebuild_counters() ...
SET ROLE outsider;
SELECT hubroute.rebuild_counters();
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ... nor read or change the tickets, but route_ticket() is public API:
-- under the rule 'nobody' it returns NULL; after the DBA's edit, the owner.
SELECT count(*) FROM hubroute.tickets;
UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 3;
SELECT hubroute.route_ticket(3) AS owner;
RESET ROLE;
UPDATE hubroute.channels SET assign_to = 'users_and_teams', distribution = 'balanced' WHERE id = 11;
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (11, 2);
SET ROLE outsider;
SELECT hubroute.route_ticket(3) AS owner;
-- Its errors are the function's own, not permission errors.
SELECT hubroute.route_ticket(3);
SELECT hubroute.route_conversation(999);
RESET ROLE;
SELECT id, owner_id FROM hubroute.tickets ORDER BY id;
SELECT ticket_id, user_id, method FROM hubroute.assignments WHERE ticket_id = 3 ORDER BY id;

-- The grants are as documented: EXECUTE on rebuild_counters() for nobody
-- but its owner; route_ticket() and route_conversation() for PUBLIC.
SELECT p.proname,
       has_function_privilege('outsider', p.oid, 'EXECUTE') AS outsider_may_execute
  FROM pg_proc p
 WHERE p.pronamespace = 'hubroute'::regnamespace
   AND p.proname IN ('rebuild_counters', 'route_ticket', 'route_conversation')
 ORDER BY p.proname;

SELECT bool_and(l.open_tickets = (SELECT count(*) FROM hubroute.tickets t
                                   WHERE t.owner_id = l.user_id AND t.status = 'open')
            AND l.open_conversations = (SELECT count(*) FROM hubroute.conversations c
                                         WHERE c.owner_id = l.user_id AND c.status = 'open')) AS load_exact
  FROM hubroute.user_load l;

-- Clean up the roles, so the file can run again.
DROP OWNED BY app, outsider;
DROP ROLE app;
DROP ROLE outsider;

DROP EXTENSION hubroute CASCADE;
