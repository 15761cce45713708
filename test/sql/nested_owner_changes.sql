-- nested_owner_changes: while hubroute changes an item's owner on the
-- caller's behalf (a reply, route_ticket()), a DBA's trigger changes the
-- owner of another item. That other change is the DBA's own: logged as
-- 'manual', checked like any manual change, counted once. Only the item
-- hubroute updates carries its method ('reply', or the rule's).
CREATE EXTENSION hubroute;

INSERT INTO hubroute.users (id, name, seat) VALUES
    (1, 'Ann', 'service'), (2, 'Bob', 'service'), (3, 'Sue, supervisor', 'service');
INSERT INTO hubroute.workspaces (id, name, kind) VALUES (1, 'Support', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution) VALUES
    (10, 1, 'email', 'manual mail', 'nobody', NULL),
    (11, 1, 'form', 'routed form', 'users_and_teams', 'balanced');
INSERT INTO hubroute.channel_targets (channel_id, user_id) VALUES (11, 1), (11, 2);
INSERT INTO hubroute.tickets (channel_id, subject) VALUES
    (10, 't1'), (10, 't2 linked to t1'), (10, 't3'), (10, 't4 linked to t3');

-- The DBA's workflow: when an item of a linked pair gets an owner, its
-- partner goes to the supervisor.
CREATE TABLE public.linked (item bigint PRIMARY KEY, partner bigint NOT NULL);
INSERT INTO public.linked VALUES (1, 2), (3, 4);
CREATE FUNCTION public.hand_partner_to_supervisor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hubroute.tickets SET owner_id = 3
     WHERE id = (SELECT l.partner FROM public.linked l WHERE l.item = NEW.id) AND owner_id IS NULL;
    RETURN NULL;
END;
$$;
CREATE TRIGGER partner_to_supervisor AFTER UPDATE OF owner_id ON hubroute.tickets
    FOR EACH ROW WHEN (OLD.owner_id IS NULL AND NEW.owner_id IS NOT NULL)
    EXECUTE FUNCTION public.hand_partner_to_supervisor();

-- Ann replies on t1: t1 is hers by reply, t2 the supervisor's by hand.
INSERT INTO hubroute.messages (ticket_id, direction, author_user_id, body) VALUES (1, 'outgoing', 1, 'on it');
-- t3 moves to the routed form channel and is routed: t3 by the rule, t4 by hand.
UPDATE hubroute.tickets SET channel_id = 11 WHERE id = 3;
SELECT hubroute.route_ticket(3) AS routed_owner;

SELECT t.id, t.owner_id, a.user_id AS logged_user, a.method
  FROM hubroute.tickets t LEFT JOIN hubroute.assignments a ON a.ticket_id = t.id
 ORDER BY t.id, a.id;
SELECT NOT EXISTS (SELECT FROM hubroute.routing_load_check()) AS counts_match;

DROP TRIGGER partner_to_supervisor ON hubroute.tickets;
DROP FUNCTION public.hand_partner_to_supervisor();
DROP TABLE public.linked;
DROP EXTENSION hubroute CASCADE;
