-- handoff: the customer agent hands a conversation to a human (SPEC §4): on
-- a visitor's message that asks for one (asks_for_human, agent_cannot_answer,
-- a handoff phrase as whole words in any case, any message while paused) and
-- on hubroute.handoff(); live, async and none; the messages it posts; a call
-- handed to its channel's own targets, always live.
CREATE EXTENSION hubroute;
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO hubroute.users (id, name, seat, available) VALUES
    (1, 'Ann', 'service', true), (2, 'Bob', 'sales', true), (3, 'Cid', 'service', false),
    (4, 'Dee', 'none', true), (5, 'Eve', 'service', true);
INSERT INTO hubroute.teams (id, name) VALUES (10, 'Humans');
INSERT INTO hubroute.team_members (team_id, user_id, is_primary) VALUES (10, 2, true), (10, 3, true);
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Inbox', 'inbox');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, voicemail_message) VALUES
    (20, 1, 'chat', 'website chat', 'customer_agent', NULL),
    (21, 1, 'calling', 'ai phone', 'customer_agent', 'We call you back.'),
    (22, 1, 'chat', 'human chat', 'nobody', NULL);
-- The call line's own targets: Eve.
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (21, 5);
-- The handoff targets: Ann, and team Humans (Bob and Cid, who is away).
INSERT INTO hubroute.handoff_targets (user_id) VALUES (1);
INSERT INTO hubroute.handoff_targets (team_id) VALUES (10);
INSERT INTO hubroute.handoff_triggers (phrase) VALUES ('refund'), ('talk to a person');
UPDATE hubroute.customer_agent
   SET message_available = 'A colleague takes over.', message_unavailable = 'Nobody is free now; we come back to you.';

-- A conversation of the customer agent's, a visitor's message, and what
-- became of it.
CREATE FUNCTION pg_temp.chat(body text, asks boolean DEFAULT false, cannot boolean DEFAULT false,
                             channel bigint DEFAULT 20)
RETURNS TABLE (owner bigint, handled_by text, method text, reason text, posted text) LANGUAGE plpgsql AS $$
DECLARE
    conversation bigint;
BEGIN
    INSERT INTO hubroute.conversations (channel_id, subject) VALUES (channel, 'chat') RETURNING id INTO conversation;
    INSERT INTO hubroute.messages (conversation_id, direction, body, asks_for_human, agent_cannot_answer)
    VALUES (conversation, 'incoming', body, asks, cannot);
    RETURN QUERY
    SELECT c.owner_id, c.handled_by, a.method, a.reason,
           (SELECT string_agg(m.body, ' | ' ORDER BY m.id) FROM hubroute.messages m
             WHERE m.conversation_id = c.id AND m.direction = 'outgoing')
      FROM hubroute.conversations c
      LEFT JOIN hubroute.assignments a ON a.conversation_id = c.id AND a.method = 'handoff'
     WHERE c.id = conversation;
END;
$$;

------------------------------------------------------------------------------
-- What hands off, and what does not. Live (the default): the least busy
-- available target; Cid is away.
------------------------------------------------------------------------------
SELECT * FROM pg_temp.chat('hello, where is my order?');
SELECT * FROM pg_temp.chat('I want to speak to someone', asks => true);
SELECT * FROM pg_temp.chat('what about pricing plans?', cannot => true);
SELECT * FROM pg_temp.chat('I want a Refund!');
SELECT * FROM pg_temp.chat('my order was refunded twice');
SELECT * FROM pg_temp.chat('Can I talk-to a   person, please?');
SELECT * FROM pg_temp.chat('talk to a personal shopper');
-- Paused: any incoming message hands off.
UPDATE hubroute.customer_agent SET paused = true;
SELECT * FROM pg_temp.chat('hi');
UPDATE hubroute.customer_agent SET paused = false;
-- Outgoing messages, and conversations humans handle, never hand off.
INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (100, 22, 'human chat');
INSERT INTO hubroute.messages (conversation_id, direction, body, asks_for_human) VALUES (100, 'incoming', 'refund', true);
SELECT owner_id, handled_by FROM hubroute.conversations WHERE id = 100;

------------------------------------------------------------------------------
-- Nobody available (live): handled by humans, unassigned, the
-- unavailable message.
------------------------------------------------------------------------------
UPDATE hubroute.users SET available = false WHERE id IN (1, 2);
SELECT * FROM pg_temp.chat('refund');
-- Async: availability not required; least busy among all targets: Cid.
UPDATE hubroute.customer_agent SET handoff_process = 'async';
SELECT * FROM pg_temp.chat('refund');
-- None: nothing changes; the customer agent keeps it.
UPDATE hubroute.customer_agent SET handoff_process = 'none';
SELECT * FROM pg_temp.chat('refund');
UPDATE hubroute.customer_agent SET handoff_process = 'live';
UPDATE hubroute.users SET available = true WHERE id IN (1, 2);

------------------------------------------------------------------------------
-- A call the customer agent cannot answer goes to the call line's own
-- targets, live, whatever handoff_process says; when nobody takes it, it
-- gets the line's voicemail message (it has no hours: always open) instead
-- of message_unavailable.
------------------------------------------------------------------------------
UPDATE hubroute.customer_agent SET handoff_process = 'async';
UPDATE hubroute.users SET available = false WHERE id = 5;
SELECT * FROM pg_temp.chat('...', cannot => true, channel => 21);
UPDATE hubroute.users SET available = true WHERE id = 5;
SELECT * FROM pg_temp.chat('...', cannot => true, channel => 21);
UPDATE hubroute.customer_agent SET handoff_process = 'live';

------------------------------------------------------------------------------
-- hubroute.handoff(): on the caller's behalf; a conversation handed off
-- already returns its owner and changes nothing; a closed one is refused.
------------------------------------------------------------------------------
INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (200, 20, 'by the agent UI');
SELECT hubroute.handoff(200, 'the visitor called in') AS owner;
SELECT hubroute.handoff(200, 'again') AS same_owner;
SELECT method, reason FROM hubroute.assignments WHERE conversation_id = 200 ORDER BY id;
SELECT count(*) AS messages_posted FROM hubroute.messages WHERE conversation_id = 200;
INSERT INTO hubroute.conversations (id, channel_id, subject, status) VALUES (201, 20, 'closed one', 'closed');
SELECT hubroute.handoff(201, 'too late');
SELECT hubroute.handoff(999, 'nobody');

------------------------------------------------------------------------------
-- workflow mode: a ticket on the workflow channel, made from the
-- conversation, goes to the next target of the source channel's rotation
-- (eligible for the help desk: Ann and Cid have service seats; Bob, sales,
-- does not), and so does the conversation. Nobody: message_unassigned, and
-- with live and close_if_unassigned the conversation is closed.
------------------------------------------------------------------------------
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (2, 'Help desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (40, 2, 'form', 'handoffs', 'nobody');
UPDATE hubroute.users SET available = true;
UPDATE hubroute.customer_agent
   SET handoff_mode = 'workflow', workflow_channel_id = 40, message_unassigned = 'We made a ticket; we come back to you.';
SELECT * FROM pg_temp.chat('refund');
SELECT * FROM pg_temp.chat('refund');
SELECT * FROM pg_temp.chat('refund');
SELECT id, channel_id, conversation_id, owner_id, subject FROM hubroute.tickets ORDER BY id;
SELECT t.id, a.method, a.user_id, a.reason FROM hubroute.tickets t JOIN hubroute.assignments a ON a.ticket_id = t.id ORDER BY t.id;
-- The rotation survives a load of the counts (as after a restart): it
-- resumes from the log, after Ann: Cid.
SELECT hubroute.rebuild_counters();
SELECT owner FROM pg_temp.chat('refund');
UPDATE hubroute.users SET available = false WHERE id IN (1, 3);
SELECT * FROM pg_temp.chat('refund');
UPDATE hubroute.customer_agent SET close_if_unassigned = true;
SELECT * FROM pg_temp.chat('refund');
-- The last two conversations, and the unassigned tickets made from them.
SELECT id, status, owner_id, handled_by FROM hubroute.conversations WHERE id < 100 ORDER BY id DESC LIMIT 2;
SELECT id, conversation_id, owner_id FROM hubroute.tickets WHERE owner_id IS NULL ORDER BY id;
-- async: the rotation goes on whether its targets are available or not.
UPDATE hubroute.customer_agent SET handoff_process = 'async';
SELECT owner, handled_by, posted FROM pg_temp.chat('refund');
-- none: nothing changes in workflow mode either.
UPDATE hubroute.customer_agent SET handoff_process = 'none';
SELECT owner, handled_by, posted FROM pg_temp.chat('refund');
-- A call ignores the workflow: its own channel's targets, live.
UPDATE hubroute.customer_agent SET handoff_process = 'live';
SELECT owner, handled_by, method, posted FROM pg_temp.chat('...', cannot => true, channel => 21);
UPDATE hubroute.users SET available = true;

-- A workflow channel moved to an inbox since it was set (it had no tickets
-- yet): a visitor's message hands nothing off and never fails; handoff()
-- says why.
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to) VALUES (41, 2, 'form', 'new desk', 'nobody');
UPDATE hubroute.customer_agent SET handoff_mode = 'workflow', workflow_channel_id = 41, handoff_process = 'live';
UPDATE hubroute.channels SET workspace_id = 1 WHERE id = 41;
SELECT owner, handled_by FROM pg_temp.chat('refund');
INSERT INTO hubroute.conversations (id, channel_id, subject) VALUES (300, 20, 'workflow gone');
SELECT hubroute.handoff(300, 'try');
UPDATE hubroute.customer_agent SET handoff_mode = 'same_targets', workflow_channel_id = NULL;

-- Loads: every handoff counted.
SELECT user_id, open_tickets, open_conversations FROM hubroute.user_load ORDER BY user_id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;
DROP EXTENSION hubroute CASCADE;
