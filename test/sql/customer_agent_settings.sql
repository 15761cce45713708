-- customer_agent_settings: the settings of SPEC §4 as a DBA edits them: the
-- customer agent's one row, its handoff targets and phrases, channel hours
-- and messages, and the new columns of messages and tickets. Each edit
-- reaches the cached configuration at the next insert. (Every refusal, with
-- its SQLSTATE and message: test/pgtap/errors.sql.)
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The one row is there after CREATE EXTENSION, with SPEC's defaults.
SELECT * FROM hubroute.customer_agent;

INSERT INTO hubroute.users (id, name, seat) VALUES (1, 'Ann', 'service'), (2, 'Bob', 'sales');
INSERT INTO hubroute.teams (id, name) VALUES (10, 'Support');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Help', 'helpdesk'), (2, 'Inbox', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, timezone,
                               voicemail_message, after_hours_message) VALUES
    (10, 1, 'email', 'help email', 'nobody', 'UTC', NULL, NULL),
    (20, 2, 'calling', 'phone', 'customer_agent', 'Europe/Amsterdam',
     'Sorry we missed you, we call back.', 'We are closed; we call back tomorrow.');

-- Settings a DBA makes.
UPDATE hubroute.customer_agent
   SET handoff_process = 'async', handoff_mode = 'workflow', workflow_channel_id = 10,
       message_available = 'A colleague takes over.', message_unavailable = 'We get back to you.',
       message_unassigned = 'Nobody is free; we made a ticket.', close_if_unassigned = true;
INSERT INTO hubroute.handoff_targets (user_id) VALUES (2);
INSERT INTO hubroute.handoff_targets (team_id) VALUES (10);
INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('refund'), ('talk to a person');
INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes)
SELECT 20, d, '09:00', '17:00' FROM generate_series(1, 5) d;
INSERT INTO hubroute.channel_hours (channel_id, weekday, opens, closes) VALUES (20, 6, '22:00', '06:00');
SELECT * FROM hubroute.customer_agent;
SELECT user_id, team_id FROM hubroute.handoff_targets ORDER BY id;
SELECT phrase FROM hubroute.handoff_triggers ORDER BY phrase;
SELECT weekday, opens, closes FROM hubroute.channel_hours ORDER BY weekday, opens;

-- The new columns and their defaults.
INSERT INTO hubroute.conversations (channel_id, subject) VALUES (20, 'a call');
INSERT INTO hubroute.messages (conversation_id, direction, body) VALUES (1, 'incoming', 'hello');
INSERT INTO hubroute.messages (conversation_id, direction, body, asks_for_human, agent_cannot_answer)
VALUES (1, 'incoming', 'a human please', true, false);
-- (The flagged one hands the call off: test/sql/handoff.sql.)
SELECT id, asks_for_human, agent_cannot_answer FROM hubroute.messages WHERE direction = 'incoming' ORDER BY id;
INSERT INTO hubroute.tickets (channel_id, subject, conversation_id) VALUES (10, 'from the call', 1);
SELECT id, conversation_id FROM hubroute.tickets;
-- It must name a conversation when the ticket is inserted.
INSERT INTO hubroute.tickets (channel_id, subject, conversation_id) VALUES (10, 'from nowhere', 999);

-- Every settings table reaches the cached configuration: an edit makes the
-- next insert build it again.
CREATE TEMP TABLE seen (builds bigint);
INSERT INTO seen SELECT builds FROM hubroute.routing_cache();
CREATE FUNCTION pg_temp.built_again() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    now_builds bigint;
    before bigint := (SELECT builds FROM seen);
BEGIN
    INSERT INTO hubroute.tickets (channel_id, subject) VALUES (10, 'probe');
    now_builds := (SELECT builds FROM hubroute.routing_cache());
    UPDATE seen SET builds = now_builds;
    RETURN now_builds > before;
END;
$$;
SELECT pg_temp.built_again() AS nothing_changed;
UPDATE hubroute.customer_agent SET paused = true;
SELECT pg_temp.built_again() AS after_customer_agent;
DELETE FROM hubroute.handoff_targets WHERE team_id = 10;
SELECT pg_temp.built_again() AS after_handoff_targets;
DELETE FROM hubroute.handoff_triggers WHERE phrase = 'refund';
SELECT pg_temp.built_again() AS after_handoff_triggers;
UPDATE hubroute.channel_hours SET closes = '18:00' WHERE weekday = 5;
SELECT pg_temp.built_again() AS after_channel_hours;
UPDATE hubroute.channels SET voicemail_message = 'Please leave a message.' WHERE id = 20;
SELECT pg_temp.built_again() AS after_voicemail_message;

-- A restore copies the dumped row over the one CREATE EXTENSION made.
COPY hubroute.customer_agent (id, paused, handoff_process, handoff_mode, workflow_channel_id,
                              message_available, message_unavailable, message_unassigned,
                              close_if_unassigned) FROM stdin;
t	f	none	same_targets	\N	Hi	Later	\N	f
\.
SELECT * FROM hubroute.customer_agent;

SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
DROP EXTENSION hubroute CASCADE;
