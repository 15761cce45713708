CREATE EXTENSION hubroute;
INSERT INTO hubroute.users (id, name, seat, ticket_capacity) SELECT g, 'u' || g, 'service', 3 FROM generate_series(1, 10) g;
INSERT INTO hubroute.workspaces VALUES (1, 'desk', 'helpdesk');
INSERT INTO hubroute.channels (id, workspace_id, kind, name, assign_to, distribution, queue) VALUES
  (10, 1, 'email', 'q balanced', 'users_and_teams', 'balanced', true),
  (11, 1, 'email', 'q rr', 'users_and_teams', 'round_robin', true);
INSERT INTO hubroute.channel_targets (channel_id, user_id) SELECT 10, g FROM generate_series(1, 10) g;
INSERT INTO hubroute.channel_targets (channel_id, user_id) SELECT 11, g FROM generate_series(4, 10) g;
INSERT INTO hubroute.tickets (channel_id, subject, priority) SELECT 10 + (g % 2), 's' || g, (g % 3)::smallint FROM generate_series(1, 400) g;
