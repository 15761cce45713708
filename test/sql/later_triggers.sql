-- later_triggers: a DBA's BEFORE trigger on an item table that fires after
-- hubroute's (triggers fire in name order: "zz_..." after "hubroute_route")
-- and changes what routing decided on. Issue 7 §3: the old code logged the
-- owner it had decided while the row stored another, counted an owner that
-- may not exist, let a ticket land on an inbox channel, and kept a re-keyed
-- row's owner with no decision row. Now the row as finally stored is checked:
--  * INSERT: a change of id, channel_id, owner_id or assigned_at after
--    routing is refused (SQLSTATE 27000, triggered_data_change_violation),
--    naming what changed; other columns (subject) may change freely; a
--    trigger that fires before hubroute_route may set anything, and routing
--    and the log follow the row it produced.
--  * UPDATE: the log names the final owner, and the workspace's team rules
--    are checked against the final row.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Cas', 'service');
INSERT INTO hubroute.teams (id, name) VALUES (1, 'Blue');
INSERT INTO hubroute.team_members (team_id, user_id) VALUES (1, 1), (1, 2);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES
    (1, 'Support', 'helpdesk'), (2, 'Blue desk', 'helpdesk'), (3, 'Inbox', 'inbox');
-- Blue desk: only Ann and Bob (team Blue) may own its tickets.
INSERT INTO hubroute.workspace_teams (workspace_id, team_id) VALUES (2, 1);
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'support', 'users_and_teams', 'balanced'),
    (11, 1, 'email', 'vip', 'users_and_teams', 'balanced'),
    (20, 2, 'email', 'blue', 'nobody', NULL),
    (30, 3, 'chat', 'inbox chat', 'nobody', NULL);
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (10, 1), (11, 2);
CREATE VIEW pg_temp.counts_match AS
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

-- A DBA's trigger function: changes the column named by its argument.
CREATE FUNCTION pg_temp.meddle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_ARGV[0]
        WHEN 'owner_id' THEN NEW.owner_id := 3;
        WHEN 'channel_id' THEN NEW.channel_id := 30;
        WHEN 'id' THEN NEW.id := NEW.id + 1000;
        WHEN 'assigned_at' THEN NEW.assigned_at := NEW.assigned_at - interval '1 hour';
        WHEN 'subject' THEN NEW.subject := upper(NEW.subject);
        WHEN 'vip' THEN NEW.channel_id := 11;
        WHEN 'to Bob' THEN NEW.owner_id := 2;
    END CASE;
    RETURN NEW;
END;
$$;
-- Attaches it as trigger name with argument arg, inserts one ticket on
-- channel 10, drops it again; reports the error, if any.
CREATE FUNCTION pg_temp.insert_with(name text, arg text, OUT code text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON hubroute.tickets FOR EACH ROW'
                   ' EXECUTE FUNCTION pg_temp.meddle(%L)', name, arg);
    BEGIN
        INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (nextval('ids'), 10, arg);
        code := '00000';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    END;
    EXECUTE format('DROP TRIGGER %I ON hubroute.tickets', name);
END;
$$;
CREATE TEMP SEQUENCE ids START 100;

------------------------------------------------------------------------------
-- INSERT, a trigger firing after hubroute_route.
------------------------------------------------------------------------------
CREATE TEMP TABLE after_route AS
SELECT arg, r.*
  FROM unnest(ARRAY['owner_id', 'channel_id', 'id', 'assigned_at', 'subject']) arg,
       LATERAL pg_temp.insert_with('zz_meddle', arg) r;
SELECT arg, code, message, detail FROM after_route;
SELECT bool_and(code = '27000') FILTER (WHERE arg <> 'subject') AS routed_columns_refused,
       bool_and(detail LIKE '%' || CASE WHEN arg IN ('id', 'assigned_at') THEN 'its id or assigned_at'
                                         ELSE arg END || '%') FILTER (WHERE arg <> 'subject')
           AS error_names_the_change,
       bool_and(code = '00000') FILTER (WHERE arg = 'subject') AS subject_change_fine
  FROM after_route;
-- The one ticket stored is the one whose subject changed.
SELECT id, channel_id, subject, owner_id FROM hubroute.tickets ORDER BY id;

------------------------------------------------------------------------------
-- INSERT, a trigger firing before hubroute_route: the row it makes is routed.
------------------------------------------------------------------------------
SELECT code AS vip_code FROM pg_temp.insert_with('aa_vip', 'vip');
SELECT code AS to_bob_code FROM pg_temp.insert_with('aa_to_bob', 'to Bob');
SELECT t.subject, t.channel_id, t.owner_id, a.channel_id AS logged_channel, a.user_id AS logged_owner, a.method
  FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id
 WHERE t.subject IN ('vip', 'to Bob') ORDER BY t.id;
SELECT bool_and(a.channel_id = t.channel_id AND a.user_id = t.owner_id) AS log_matches_rows,
       count(*) = count(DISTINCT t.id) AS one_log_row_each
  FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id;
SELECT * FROM pg_temp.counts_match;

------------------------------------------------------------------------------
-- UPDATE, a trigger firing after hubroute_assign: Bob's new tickets are
-- redirected to Cas.
------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.redirect_bob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.owner_id = 2 THEN
        NEW.owner_id := 3;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER zz_redirect_bob BEFORE UPDATE ON hubroute.tickets
    FOR EACH ROW EXECUTE FUNCTION pg_temp.redirect_bob();
INSERT INTO hubroute.tickets (id, channel_id, subject) VALUES (200, 10, 'support'), (201, 20, 'blue');
-- In the open help desk: Cas ends up owning it, and the log says so.
UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 200;
SELECT t.owner_id AS stored_owner, a.user_id AS logged_owner, a.method,
       a.user_id = t.owner_id AS log_names_final_owner
  FROM hubroute.tickets t
  JOIN hubroute.assignments a ON a.ticket_id = t.id AND a.method = 'manual'
 WHERE t.id = 200;
-- In the Blue desk Bob may own it, but Cas, whom the row would end up
-- with, may not: refused.
UPDATE hubroute.tickets SET owner_id = 2 WHERE id = 201;
SELECT :'LAST_ERROR_SQLSTATE' AS blue_desk_sqlstate;
SELECT owner_id IS NULL AS blue_ticket_unassigned FROM hubroute.tickets WHERE id = 201;
DROP TRIGGER zz_redirect_bob ON hubroute.tickets;
SELECT * FROM pg_temp.counts_match;

DROP VIEW pg_temp.counts_match;
DROP TABLE after_route;
DROP EXTENSION hubroute CASCADE;
