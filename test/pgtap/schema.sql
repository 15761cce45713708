-- test/pgtap/schema.sql: the objects of SPEC §1 — every table and column with
-- its type, NOT NULL and default, the primary keys, the reporting views and
-- the public route functions.
--
-- One line per check, written from SPEC §1; run by test/run_all.sh
-- as: pg_prove -d hubroute_tap test/pgtap/*.sql
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
CREATE EXTENSION hubroute;

SELECT plan(371);

-- Tables and columns

-- hubroute.users
SELECT has_table('hubroute', 'users', 'hubroute.users exists');
SELECT has_column('hubroute', 'users', 'id', 'hubroute.users.id exists');
SELECT col_type_is('hubroute', 'users', 'id', 'bigint', 'hubroute.users.id is bigint');
SELECT col_not_null('hubroute', 'users', 'id', 'hubroute.users.id is NOT NULL');
SELECT has_column('hubroute', 'users', 'name', 'hubroute.users.name exists');
SELECT col_type_is('hubroute', 'users', 'name', 'text', 'hubroute.users.name is text');
SELECT col_not_null('hubroute', 'users', 'name', 'hubroute.users.name is NOT NULL');
SELECT has_column('hubroute', 'users', 'email', 'hubroute.users.email exists');
SELECT col_type_is('hubroute', 'users', 'email', 'text', 'hubroute.users.email is text');
SELECT col_is_null('hubroute', 'users', 'email', 'hubroute.users.email allows NULL');
SELECT has_column('hubroute', 'users', 'seat', 'hubroute.users.seat exists');
SELECT col_type_is('hubroute', 'users', 'seat', 'text', 'hubroute.users.seat is text');
SELECT col_not_null('hubroute', 'users', 'seat', 'hubroute.users.seat is NOT NULL');
SELECT col_default_is('hubroute', 'users', 'seat', 'none'::text, 'hubroute.users.seat defaults to ''none''::text');
SELECT has_column('hubroute', 'users', 'available', 'hubroute.users.available exists');
SELECT col_type_is('hubroute', 'users', 'available', 'boolean', 'hubroute.users.available is boolean');
SELECT col_not_null('hubroute', 'users', 'available', 'hubroute.users.available is NOT NULL');
SELECT col_default_is('hubroute', 'users', 'available', true, 'hubroute.users.available defaults to true');
SELECT has_column('hubroute', 'users', 'active', 'hubroute.users.active exists');
SELECT col_type_is('hubroute', 'users', 'active', 'boolean', 'hubroute.users.active is boolean');
SELECT col_not_null('hubroute', 'users', 'active', 'hubroute.users.active is NOT NULL');
SELECT col_default_is('hubroute', 'users', 'active', true, 'hubroute.users.active defaults to true');
SELECT has_column('hubroute', 'users', 'ticket_access', 'hubroute.users.ticket_access exists');
SELECT col_type_is('hubroute', 'users', 'ticket_access', 'boolean', 'hubroute.users.ticket_access is boolean');
SELECT col_not_null('hubroute', 'users', 'ticket_access', 'hubroute.users.ticket_access is NOT NULL');
SELECT col_default_is('hubroute', 'users', 'ticket_access', true, 'hubroute.users.ticket_access defaults to true');
SELECT col_is_pk('hubroute', 'users', ARRAY['id'], 'hubroute.users has primary key (id)');

-- hubroute.teams
SELECT has_table('hubroute', 'teams', 'hubroute.teams exists');
SELECT has_column('hubroute', 'teams', 'id', 'hubroute.teams.id exists');
SELECT col_type_is('hubroute', 'teams', 'id', 'bigint', 'hubroute.teams.id is bigint');
SELECT col_not_null('hubroute', 'teams', 'id', 'hubroute.teams.id is NOT NULL');
SELECT has_column('hubroute', 'teams', 'name', 'hubroute.teams.name exists');
SELECT col_type_is('hubroute', 'teams', 'name', 'text', 'hubroute.teams.name is text');
SELECT col_not_null('hubroute', 'teams', 'name', 'hubroute.teams.name is NOT NULL');
SELECT col_is_pk('hubroute', 'teams', ARRAY['id'], 'hubroute.teams has primary key (id)');
SELECT col_is_unique('hubroute', 'teams', 'name', 'hubroute.teams.name is UNIQUE');

-- hubroute.team_members
SELECT has_table('hubroute', 'team_members', 'hubroute.team_members exists');
SELECT has_column('hubroute', 'team_members', 'team_id', 'hubroute.team_members.team_id exists');
SELECT col_type_is('hubroute', 'team_members', 'team_id', 'bigint', 'hubroute.team_members.team_id is bigint');
SELECT col_not_null('hubroute', 'team_members', 'team_id', 'hubroute.team_members.team_id is NOT NULL');
SELECT has_column('hubroute', 'team_members', 'user_id', 'hubroute.team_members.user_id exists');
SELECT col_type_is('hubroute', 'team_members', 'user_id', 'bigint', 'hubroute.team_members.user_id is bigint');
SELECT col_not_null('hubroute', 'team_members', 'user_id', 'hubroute.team_members.user_id is NOT NULL');
SELECT has_column('hubroute', 'team_members', 'is_primary', 'hubroute.team_members.is_primary exists');
SELECT col_type_is('hubroute', 'team_members', 'is_primary', 'boolean', 'hubroute.team_members.is_primary is boolean');
SELECT col_not_null('hubroute', 'team_members', 'is_primary', 'hubroute.team_members.is_primary is NOT NULL');
SELECT col_default_is('hubroute', 'team_members', 'is_primary', true, 'hubroute.team_members.is_primary defaults to true');
SELECT col_is_pk('hubroute', 'team_members', ARRAY['team_id', 'user_id'], 'hubroute.team_members has primary key (team_id, user_id)');

-- hubroute.workspaces
SELECT has_table('hubroute', 'workspaces', 'hubroute.workspaces exists');
SELECT has_column('hubroute', 'workspaces', 'id', 'hubroute.workspaces.id exists');
SELECT col_type_is('hubroute', 'workspaces', 'id', 'bigint', 'hubroute.workspaces.id is bigint');
SELECT col_not_null('hubroute', 'workspaces', 'id', 'hubroute.workspaces.id is NOT NULL');
SELECT has_column('hubroute', 'workspaces', 'name', 'hubroute.workspaces.name exists');
SELECT col_type_is('hubroute', 'workspaces', 'name', 'text', 'hubroute.workspaces.name is text');
SELECT col_not_null('hubroute', 'workspaces', 'name', 'hubroute.workspaces.name is NOT NULL');
SELECT has_column('hubroute', 'workspaces', 'kind', 'hubroute.workspaces.kind exists');
SELECT col_type_is('hubroute', 'workspaces', 'kind', 'text', 'hubroute.workspaces.kind is text');
SELECT col_not_null('hubroute', 'workspaces', 'kind', 'hubroute.workspaces.kind is NOT NULL');
SELECT col_is_pk('hubroute', 'workspaces', ARRAY['id'], 'hubroute.workspaces has primary key (id)');

-- hubroute.workspace_teams
SELECT has_table('hubroute', 'workspace_teams', 'hubroute.workspace_teams exists');
SELECT has_column('hubroute', 'workspace_teams', 'workspace_id', 'hubroute.workspace_teams.workspace_id exists');
SELECT col_type_is('hubroute', 'workspace_teams', 'workspace_id', 'bigint', 'hubroute.workspace_teams.workspace_id is bigint');
SELECT col_not_null('hubroute', 'workspace_teams', 'workspace_id', 'hubroute.workspace_teams.workspace_id is NOT NULL');
SELECT has_column('hubroute', 'workspace_teams', 'team_id', 'hubroute.workspace_teams.team_id exists');
SELECT col_type_is('hubroute', 'workspace_teams', 'team_id', 'bigint', 'hubroute.workspace_teams.team_id is bigint');
SELECT col_not_null('hubroute', 'workspace_teams', 'team_id', 'hubroute.workspace_teams.team_id is NOT NULL');
SELECT col_is_pk('hubroute', 'workspace_teams', ARRAY['workspace_id', 'team_id'], 'hubroute.workspace_teams has primary key (workspace_id, team_id)');

-- hubroute.channels
SELECT has_table('hubroute', 'channels', 'hubroute.channels exists');
SELECT has_column('hubroute', 'channels', 'id', 'hubroute.channels.id exists');
SELECT col_type_is('hubroute', 'channels', 'id', 'bigint', 'hubroute.channels.id is bigint');
SELECT col_not_null('hubroute', 'channels', 'id', 'hubroute.channels.id is NOT NULL');
SELECT has_column('hubroute', 'channels', 'workspace_id', 'hubroute.channels.workspace_id exists');
SELECT col_type_is('hubroute', 'channels', 'workspace_id', 'bigint', 'hubroute.channels.workspace_id is bigint');
SELECT col_not_null('hubroute', 'channels', 'workspace_id', 'hubroute.channels.workspace_id is NOT NULL');
SELECT has_column('hubroute', 'channels', 'kind', 'hubroute.channels.kind exists');
SELECT col_type_is('hubroute', 'channels', 'kind', 'text', 'hubroute.channels.kind is text');
SELECT col_not_null('hubroute', 'channels', 'kind', 'hubroute.channels.kind is NOT NULL');
SELECT has_column('hubroute', 'channels', 'name', 'hubroute.channels.name exists');
SELECT col_type_is('hubroute', 'channels', 'name', 'text', 'hubroute.channels.name is text');
SELECT col_not_null('hubroute', 'channels', 'name', 'hubroute.channels.name is NOT NULL');
SELECT has_column('hubroute', 'channels', 'assign_to', 'hubroute.channels.assign_to exists');
SELECT col_type_is('hubroute', 'channels', 'assign_to', 'text', 'hubroute.channels.assign_to is text');
SELECT col_not_null('hubroute', 'channels', 'assign_to', 'hubroute.channels.assign_to is NOT NULL');
SELECT col_default_is('hubroute', 'channels', 'assign_to', 'nobody'::text, 'hubroute.channels.assign_to defaults to ''nobody''::text');
SELECT has_column('hubroute', 'channels', 'distribution', 'hubroute.channels.distribution exists');
SELECT col_type_is('hubroute', 'channels', 'distribution', 'text', 'hubroute.channels.distribution is text');
SELECT col_is_null('hubroute', 'channels', 'distribution', 'hubroute.channels.distribution allows NULL');
SELECT col_hasnt_default('hubroute', 'channels', 'distribution', 'hubroute.channels.distribution has no default (NULL has a meaning)');
SELECT has_column('hubroute', 'channels', 'only_available', 'hubroute.channels.only_available exists');
SELECT col_type_is('hubroute', 'channels', 'only_available', 'boolean', 'hubroute.channels.only_available is boolean');
SELECT col_not_null('hubroute', 'channels', 'only_available', 'hubroute.channels.only_available is NOT NULL');
SELECT col_default_is('hubroute', 'channels', 'only_available', true, 'hubroute.channels.only_available defaults to true');
SELECT has_column('hubroute', 'channels', 'fallback_user_id', 'hubroute.channels.fallback_user_id exists');
SELECT col_type_is('hubroute', 'channels', 'fallback_user_id', 'bigint', 'hubroute.channels.fallback_user_id is bigint');
SELECT col_is_null('hubroute', 'channels', 'fallback_user_id', 'hubroute.channels.fallback_user_id allows NULL');
SELECT has_column('hubroute', 'channels', 'use_skills', 'hubroute.channels.use_skills exists');
SELECT col_type_is('hubroute', 'channels', 'use_skills', 'boolean', 'hubroute.channels.use_skills is boolean');
SELECT col_not_null('hubroute', 'channels', 'use_skills', 'hubroute.channels.use_skills is NOT NULL');
SELECT col_default_is('hubroute', 'channels', 'use_skills', false, 'hubroute.channels.use_skills defaults to false');
SELECT has_column('hubroute', 'channels', 'timezone', 'hubroute.channels.timezone exists');
SELECT col_type_is('hubroute', 'channels', 'timezone', 'text', 'hubroute.channels.timezone is text');
SELECT col_not_null('hubroute', 'channels', 'timezone', 'hubroute.channels.timezone is NOT NULL');
SELECT col_default_is('hubroute', 'channels', 'timezone', 'UTC'::text, 'hubroute.channels.timezone defaults to ''UTC''::text');
SELECT col_is_pk('hubroute', 'channels', ARRAY['id'], 'hubroute.channels has primary key (id)');

-- hubroute.channel_targets
SELECT has_table('hubroute', 'channel_targets', 'hubroute.channel_targets exists');
SELECT has_column('hubroute', 'channel_targets', 'channel_id', 'hubroute.channel_targets.channel_id exists');
SELECT col_type_is('hubroute', 'channel_targets', 'channel_id', 'bigint', 'hubroute.channel_targets.channel_id is bigint');
SELECT col_not_null('hubroute', 'channel_targets', 'channel_id', 'hubroute.channel_targets.channel_id is NOT NULL');
SELECT has_column('hubroute', 'channel_targets', 'user_id', 'hubroute.channel_targets.user_id exists');
SELECT col_type_is('hubroute', 'channel_targets', 'user_id', 'bigint', 'hubroute.channel_targets.user_id is bigint');
SELECT col_is_null('hubroute', 'channel_targets', 'user_id', 'hubroute.channel_targets.user_id allows NULL');
SELECT has_column('hubroute', 'channel_targets', 'team_id', 'hubroute.channel_targets.team_id exists');
SELECT col_type_is('hubroute', 'channel_targets', 'team_id', 'bigint', 'hubroute.channel_targets.team_id is bigint');
SELECT col_is_null('hubroute', 'channel_targets', 'team_id', 'hubroute.channel_targets.team_id allows NULL');

-- hubroute.contacts
SELECT has_table('hubroute', 'contacts', 'hubroute.contacts exists');
SELECT has_column('hubroute', 'contacts', 'id', 'hubroute.contacts.id exists');
SELECT col_type_is('hubroute', 'contacts', 'id', 'bigint', 'hubroute.contacts.id is bigint');
SELECT col_not_null('hubroute', 'contacts', 'id', 'hubroute.contacts.id is NOT NULL');
SELECT has_column('hubroute', 'contacts', 'name', 'hubroute.contacts.name exists');
SELECT col_type_is('hubroute', 'contacts', 'name', 'text', 'hubroute.contacts.name is text');
SELECT col_is_null('hubroute', 'contacts', 'name', 'hubroute.contacts.name allows NULL');
SELECT has_column('hubroute', 'contacts', 'email', 'hubroute.contacts.email exists');
SELECT col_type_is('hubroute', 'contacts', 'email', 'text', 'hubroute.contacts.email is text');
SELECT col_is_null('hubroute', 'contacts', 'email', 'hubroute.contacts.email allows NULL');
SELECT has_column('hubroute', 'contacts', 'owner_id', 'hubroute.contacts.owner_id exists');
SELECT col_type_is('hubroute', 'contacts', 'owner_id', 'bigint', 'hubroute.contacts.owner_id is bigint');
SELECT col_is_null('hubroute', 'contacts', 'owner_id', 'hubroute.contacts.owner_id allows NULL');
SELECT has_column('hubroute', 'contacts', 'tracked', 'hubroute.contacts.tracked exists');
SELECT col_type_is('hubroute', 'contacts', 'tracked', 'boolean', 'hubroute.contacts.tracked is boolean');
SELECT col_not_null('hubroute', 'contacts', 'tracked', 'hubroute.contacts.tracked is NOT NULL');
SELECT col_default_is('hubroute', 'contacts', 'tracked', false, 'hubroute.contacts.tracked defaults to false');
SELECT col_is_pk('hubroute', 'contacts', ARRAY['id'], 'hubroute.contacts has primary key (id)');

-- hubroute.skills
SELECT has_table('hubroute', 'skills', 'hubroute.skills exists');
SELECT has_column('hubroute', 'skills', 'id', 'hubroute.skills.id exists');
SELECT col_type_is('hubroute', 'skills', 'id', 'bigint', 'hubroute.skills.id is bigint');
SELECT col_not_null('hubroute', 'skills', 'id', 'hubroute.skills.id is NOT NULL');
SELECT has_column('hubroute', 'skills', 'name', 'hubroute.skills.name exists');
SELECT col_type_is('hubroute', 'skills', 'name', 'text', 'hubroute.skills.name is text');
SELECT col_not_null('hubroute', 'skills', 'name', 'hubroute.skills.name is NOT NULL');
SELECT has_column('hubroute', 'skills', 'kind', 'hubroute.skills.kind exists');
SELECT col_type_is('hubroute', 'skills', 'kind', 'text', 'hubroute.skills.kind is text');
SELECT col_not_null('hubroute', 'skills', 'kind', 'hubroute.skills.kind is NOT NULL');
SELECT col_default_is('hubroute', 'skills', 'kind', 'category'::text, 'hubroute.skills.kind defaults to ''category''::text');
SELECT col_is_pk('hubroute', 'skills', ARRAY['id'], 'hubroute.skills has primary key (id)');
SELECT col_is_unique('hubroute', 'skills', 'name', 'hubroute.skills.name is UNIQUE');

-- hubroute.user_skills
SELECT has_table('hubroute', 'user_skills', 'hubroute.user_skills exists');
SELECT has_column('hubroute', 'user_skills', 'user_id', 'hubroute.user_skills.user_id exists');
SELECT col_type_is('hubroute', 'user_skills', 'user_id', 'bigint', 'hubroute.user_skills.user_id is bigint');
SELECT col_not_null('hubroute', 'user_skills', 'user_id', 'hubroute.user_skills.user_id is NOT NULL');
SELECT has_column('hubroute', 'user_skills', 'skill_id', 'hubroute.user_skills.skill_id exists');
SELECT col_type_is('hubroute', 'user_skills', 'skill_id', 'bigint', 'hubroute.user_skills.skill_id is bigint');
SELECT col_not_null('hubroute', 'user_skills', 'skill_id', 'hubroute.user_skills.skill_id is NOT NULL');
SELECT col_is_pk('hubroute', 'user_skills', ARRAY['user_id', 'skill_id'], 'hubroute.user_skills has primary key (user_id, skill_id)');

-- hubroute.tickets
SELECT has_table('hubroute', 'tickets', 'hubroute.tickets exists');
SELECT has_column('hubroute', 'tickets', 'id', 'hubroute.tickets.id exists');
SELECT col_type_is('hubroute', 'tickets', 'id', 'bigint', 'hubroute.tickets.id is bigint');
SELECT col_not_null('hubroute', 'tickets', 'id', 'hubroute.tickets.id is NOT NULL');
SELECT has_column('hubroute', 'tickets', 'channel_id', 'hubroute.tickets.channel_id exists');
SELECT col_type_is('hubroute', 'tickets', 'channel_id', 'bigint', 'hubroute.tickets.channel_id is bigint');
SELECT col_not_null('hubroute', 'tickets', 'channel_id', 'hubroute.tickets.channel_id is NOT NULL');
SELECT has_column('hubroute', 'tickets', 'contact_id', 'hubroute.tickets.contact_id exists');
SELECT col_type_is('hubroute', 'tickets', 'contact_id', 'bigint', 'hubroute.tickets.contact_id is bigint');
SELECT col_is_null('hubroute', 'tickets', 'contact_id', 'hubroute.tickets.contact_id allows NULL');
SELECT has_column('hubroute', 'tickets', 'subject', 'hubroute.tickets.subject exists');
SELECT col_type_is('hubroute', 'tickets', 'subject', 'text', 'hubroute.tickets.subject is text');
SELECT col_is_null('hubroute', 'tickets', 'subject', 'hubroute.tickets.subject allows NULL');
SELECT has_column('hubroute', 'tickets', 'required_skills', 'hubroute.tickets.required_skills exists');
SELECT col_type_is('hubroute', 'tickets', 'required_skills', 'bigint[]', 'hubroute.tickets.required_skills is bigint[]');
SELECT col_not_null('hubroute', 'tickets', 'required_skills', 'hubroute.tickets.required_skills is NOT NULL');
SELECT col_default_is('hubroute', 'tickets', 'required_skills', '{}'::bigint[], 'hubroute.tickets.required_skills defaults to ''{}''::bigint[]');
SELECT has_column('hubroute', 'tickets', 'status', 'hubroute.tickets.status exists');
SELECT col_type_is('hubroute', 'tickets', 'status', 'text', 'hubroute.tickets.status is text');
SELECT col_not_null('hubroute', 'tickets', 'status', 'hubroute.tickets.status is NOT NULL');
SELECT col_default_is('hubroute', 'tickets', 'status', 'open'::text, 'hubroute.tickets.status defaults to ''open''::text');
SELECT has_column('hubroute', 'tickets', 'owner_id', 'hubroute.tickets.owner_id exists');
SELECT col_type_is('hubroute', 'tickets', 'owner_id', 'bigint', 'hubroute.tickets.owner_id is bigint');
SELECT col_is_null('hubroute', 'tickets', 'owner_id', 'hubroute.tickets.owner_id allows NULL');
SELECT col_hasnt_default('hubroute', 'tickets', 'owner_id', 'hubroute.tickets.owner_id has no default (NULL has a meaning)');
SELECT has_column('hubroute', 'tickets', 'team_id', 'hubroute.tickets.team_id exists');
SELECT col_type_is('hubroute', 'tickets', 'team_id', 'bigint', 'hubroute.tickets.team_id is bigint');
SELECT col_is_null('hubroute', 'tickets', 'team_id', 'hubroute.tickets.team_id allows NULL');
SELECT has_column('hubroute', 'tickets', 'handled_by', 'hubroute.tickets.handled_by exists');
SELECT col_type_is('hubroute', 'tickets', 'handled_by', 'text', 'hubroute.tickets.handled_by is text');
SELECT col_not_null('hubroute', 'tickets', 'handled_by', 'hubroute.tickets.handled_by is NOT NULL');
SELECT col_default_is('hubroute', 'tickets', 'handled_by', 'human'::text, 'hubroute.tickets.handled_by defaults to ''human''::text');
SELECT has_column('hubroute', 'tickets', 'created_at', 'hubroute.tickets.created_at exists');
SELECT col_type_is('hubroute', 'tickets', 'created_at', 'timestamp with time zone', 'hubroute.tickets.created_at is timestamp with time zone');
SELECT col_not_null('hubroute', 'tickets', 'created_at', 'hubroute.tickets.created_at is NOT NULL');
SELECT col_default_is('hubroute', 'tickets', 'created_at', 'now()', 'hubroute.tickets.created_at defaults to ''now()''');
SELECT has_column('hubroute', 'tickets', 'assigned_at', 'hubroute.tickets.assigned_at exists');
SELECT col_type_is('hubroute', 'tickets', 'assigned_at', 'timestamp with time zone', 'hubroute.tickets.assigned_at is timestamp with time zone');
SELECT col_is_null('hubroute', 'tickets', 'assigned_at', 'hubroute.tickets.assigned_at allows NULL');
SELECT col_hasnt_default('hubroute', 'tickets', 'assigned_at', 'hubroute.tickets.assigned_at has no default (NULL has a meaning)');
SELECT col_is_pk('hubroute', 'tickets', ARRAY['id'], 'hubroute.tickets has primary key (id)');
SELECT results_eq($$SELECT attidentity <> '' FROM pg_catalog.pg_attribute WHERE attrelid = 'hubroute.tickets'::regclass AND attname = 'id'$$, $$VALUES (true)$$, 'hubroute.tickets.id is generated (an identity column)');

-- hubroute.conversations
SELECT has_table('hubroute', 'conversations', 'hubroute.conversations exists');
SELECT has_column('hubroute', 'conversations', 'id', 'hubroute.conversations.id exists');
SELECT col_type_is('hubroute', 'conversations', 'id', 'bigint', 'hubroute.conversations.id is bigint');
SELECT col_not_null('hubroute', 'conversations', 'id', 'hubroute.conversations.id is NOT NULL');
SELECT has_column('hubroute', 'conversations', 'channel_id', 'hubroute.conversations.channel_id exists');
SELECT col_type_is('hubroute', 'conversations', 'channel_id', 'bigint', 'hubroute.conversations.channel_id is bigint');
SELECT col_not_null('hubroute', 'conversations', 'channel_id', 'hubroute.conversations.channel_id is NOT NULL');
SELECT has_column('hubroute', 'conversations', 'contact_id', 'hubroute.conversations.contact_id exists');
SELECT col_type_is('hubroute', 'conversations', 'contact_id', 'bigint', 'hubroute.conversations.contact_id is bigint');
SELECT col_is_null('hubroute', 'conversations', 'contact_id', 'hubroute.conversations.contact_id allows NULL');
SELECT has_column('hubroute', 'conversations', 'subject', 'hubroute.conversations.subject exists');
SELECT col_type_is('hubroute', 'conversations', 'subject', 'text', 'hubroute.conversations.subject is text');
SELECT col_is_null('hubroute', 'conversations', 'subject', 'hubroute.conversations.subject allows NULL');
SELECT has_column('hubroute', 'conversations', 'required_skills', 'hubroute.conversations.required_skills exists');
SELECT col_type_is('hubroute', 'conversations', 'required_skills', 'bigint[]', 'hubroute.conversations.required_skills is bigint[]');
SELECT col_not_null('hubroute', 'conversations', 'required_skills', 'hubroute.conversations.required_skills is NOT NULL');
SELECT col_default_is('hubroute', 'conversations', 'required_skills', '{}'::bigint[], 'hubroute.conversations.required_skills defaults to ''{}''::bigint[]');
SELECT has_column('hubroute', 'conversations', 'status', 'hubroute.conversations.status exists');
SELECT col_type_is('hubroute', 'conversations', 'status', 'text', 'hubroute.conversations.status is text');
SELECT col_not_null('hubroute', 'conversations', 'status', 'hubroute.conversations.status is NOT NULL');
SELECT col_default_is('hubroute', 'conversations', 'status', 'open'::text, 'hubroute.conversations.status defaults to ''open''::text');
SELECT has_column('hubroute', 'conversations', 'owner_id', 'hubroute.conversations.owner_id exists');
SELECT col_type_is('hubroute', 'conversations', 'owner_id', 'bigint', 'hubroute.conversations.owner_id is bigint');
SELECT col_is_null('hubroute', 'conversations', 'owner_id', 'hubroute.conversations.owner_id allows NULL');
SELECT col_hasnt_default('hubroute', 'conversations', 'owner_id', 'hubroute.conversations.owner_id has no default (NULL has a meaning)');
SELECT has_column('hubroute', 'conversations', 'team_id', 'hubroute.conversations.team_id exists');
SELECT col_type_is('hubroute', 'conversations', 'team_id', 'bigint', 'hubroute.conversations.team_id is bigint');
SELECT col_is_null('hubroute', 'conversations', 'team_id', 'hubroute.conversations.team_id allows NULL');
SELECT has_column('hubroute', 'conversations', 'handled_by', 'hubroute.conversations.handled_by exists');
SELECT col_type_is('hubroute', 'conversations', 'handled_by', 'text', 'hubroute.conversations.handled_by is text');
SELECT col_not_null('hubroute', 'conversations', 'handled_by', 'hubroute.conversations.handled_by is NOT NULL');
SELECT col_default_is('hubroute', 'conversations', 'handled_by', 'human'::text, 'hubroute.conversations.handled_by defaults to ''human''::text');
SELECT has_column('hubroute', 'conversations', 'created_at', 'hubroute.conversations.created_at exists');
SELECT col_type_is('hubroute', 'conversations', 'created_at', 'timestamp with time zone', 'hubroute.conversations.created_at is timestamp with time zone');
SELECT col_not_null('hubroute', 'conversations', 'created_at', 'hubroute.conversations.created_at is NOT NULL');
SELECT col_default_is('hubroute', 'conversations', 'created_at', 'now()', 'hubroute.conversations.created_at defaults to ''now()''');
SELECT has_column('hubroute', 'conversations', 'assigned_at', 'hubroute.conversations.assigned_at exists');
SELECT col_type_is('hubroute', 'conversations', 'assigned_at', 'timestamp with time zone', 'hubroute.conversations.assigned_at is timestamp with time zone');
SELECT col_is_null('hubroute', 'conversations', 'assigned_at', 'hubroute.conversations.assigned_at allows NULL');
SELECT col_hasnt_default('hubroute', 'conversations', 'assigned_at', 'hubroute.conversations.assigned_at has no default (NULL has a meaning)');
SELECT col_is_pk('hubroute', 'conversations', ARRAY['id'], 'hubroute.conversations has primary key (id)');
SELECT results_eq($$SELECT attidentity <> '' FROM pg_catalog.pg_attribute WHERE attrelid = 'hubroute.conversations'::regclass AND attname = 'id'$$, $$VALUES (true)$$, 'hubroute.conversations.id is generated (an identity column)');

-- hubroute.messages
SELECT has_table('hubroute', 'messages', 'hubroute.messages exists');
SELECT has_column('hubroute', 'messages', 'id', 'hubroute.messages.id exists');
SELECT col_type_is('hubroute', 'messages', 'id', 'bigint', 'hubroute.messages.id is bigint');
SELECT col_not_null('hubroute', 'messages', 'id', 'hubroute.messages.id is NOT NULL');
SELECT has_column('hubroute', 'messages', 'ticket_id', 'hubroute.messages.ticket_id exists');
SELECT col_type_is('hubroute', 'messages', 'ticket_id', 'bigint', 'hubroute.messages.ticket_id is bigint');
SELECT col_is_null('hubroute', 'messages', 'ticket_id', 'hubroute.messages.ticket_id allows NULL');
SELECT has_column('hubroute', 'messages', 'conversation_id', 'hubroute.messages.conversation_id exists');
SELECT col_type_is('hubroute', 'messages', 'conversation_id', 'bigint', 'hubroute.messages.conversation_id is bigint');
SELECT col_is_null('hubroute', 'messages', 'conversation_id', 'hubroute.messages.conversation_id allows NULL');
SELECT has_column('hubroute', 'messages', 'direction', 'hubroute.messages.direction exists');
SELECT col_type_is('hubroute', 'messages', 'direction', 'text', 'hubroute.messages.direction is text');
SELECT col_not_null('hubroute', 'messages', 'direction', 'hubroute.messages.direction is NOT NULL');
SELECT has_column('hubroute', 'messages', 'author_user_id', 'hubroute.messages.author_user_id exists');
SELECT col_type_is('hubroute', 'messages', 'author_user_id', 'bigint', 'hubroute.messages.author_user_id is bigint');
SELECT col_is_null('hubroute', 'messages', 'author_user_id', 'hubroute.messages.author_user_id allows NULL');
SELECT has_column('hubroute', 'messages', 'body', 'hubroute.messages.body exists');
SELECT col_type_is('hubroute', 'messages', 'body', 'text', 'hubroute.messages.body is text');
SELECT col_is_null('hubroute', 'messages', 'body', 'hubroute.messages.body allows NULL');
SELECT has_column('hubroute', 'messages', 'created_at', 'hubroute.messages.created_at exists');
SELECT col_type_is('hubroute', 'messages', 'created_at', 'timestamp with time zone', 'hubroute.messages.created_at is timestamp with time zone');
SELECT col_not_null('hubroute', 'messages', 'created_at', 'hubroute.messages.created_at is NOT NULL');
SELECT col_default_is('hubroute', 'messages', 'created_at', 'now()', 'hubroute.messages.created_at defaults to ''now()''');
SELECT col_is_pk('hubroute', 'messages', ARRAY['id'], 'hubroute.messages has primary key (id)');
SELECT results_eq($$SELECT attidentity <> '' FROM pg_catalog.pg_attribute WHERE attrelid = 'hubroute.messages'::regclass AND attname = 'id'$$, $$VALUES (true)$$, 'hubroute.messages.id is generated (an identity column)');

-- hubroute.assignments
SELECT has_table('hubroute', 'assignments', 'hubroute.assignments exists');
SELECT has_column('hubroute', 'assignments', 'id', 'hubroute.assignments.id exists');
SELECT col_type_is('hubroute', 'assignments', 'id', 'bigint', 'hubroute.assignments.id is bigint');
SELECT col_not_null('hubroute', 'assignments', 'id', 'hubroute.assignments.id is NOT NULL');
SELECT has_column('hubroute', 'assignments', 'ticket_id', 'hubroute.assignments.ticket_id exists');
SELECT col_type_is('hubroute', 'assignments', 'ticket_id', 'bigint', 'hubroute.assignments.ticket_id is bigint');
SELECT col_is_null('hubroute', 'assignments', 'ticket_id', 'hubroute.assignments.ticket_id allows NULL');
SELECT has_column('hubroute', 'assignments', 'conversation_id', 'hubroute.assignments.conversation_id exists');
SELECT col_type_is('hubroute', 'assignments', 'conversation_id', 'bigint', 'hubroute.assignments.conversation_id is bigint');
SELECT col_is_null('hubroute', 'assignments', 'conversation_id', 'hubroute.assignments.conversation_id allows NULL');
SELECT has_column('hubroute', 'assignments', 'user_id', 'hubroute.assignments.user_id exists');
SELECT col_type_is('hubroute', 'assignments', 'user_id', 'bigint', 'hubroute.assignments.user_id is bigint');
SELECT col_is_null('hubroute', 'assignments', 'user_id', 'hubroute.assignments.user_id allows NULL');
SELECT has_column('hubroute', 'assignments', 'method', 'hubroute.assignments.method exists');
SELECT col_type_is('hubroute', 'assignments', 'method', 'text', 'hubroute.assignments.method is text');
SELECT col_not_null('hubroute', 'assignments', 'method', 'hubroute.assignments.method is NOT NULL');
SELECT has_column('hubroute', 'assignments', 'reason', 'hubroute.assignments.reason exists');
SELECT col_type_is('hubroute', 'assignments', 'reason', 'text', 'hubroute.assignments.reason is text');
SELECT col_is_null('hubroute', 'assignments', 'reason', 'hubroute.assignments.reason allows NULL');
SELECT has_column('hubroute', 'assignments', 'at', 'hubroute.assignments.at exists');
SELECT col_type_is('hubroute', 'assignments', 'at', 'timestamp with time zone', 'hubroute.assignments.at is timestamp with time zone');
SELECT col_not_null('hubroute', 'assignments', 'at', 'hubroute.assignments.at is NOT NULL');
SELECT col_is_pk('hubroute', 'assignments', ARRAY['id'], 'hubroute.assignments has primary key (id)');
SELECT results_eq($$SELECT attidentity <> '' FROM pg_catalog.pg_attribute WHERE attrelid = 'hubroute.assignments'::regclass AND attname = 'id'$$, $$VALUES (true)$$, 'hubroute.assignments.id is generated (an identity column)');

-- hubroute.notifications
SELECT has_table('hubroute', 'notifications', 'hubroute.notifications exists');
SELECT has_column('hubroute', 'notifications', 'id', 'hubroute.notifications.id exists');
SELECT col_type_is('hubroute', 'notifications', 'id', 'bigint', 'hubroute.notifications.id is bigint');
SELECT col_not_null('hubroute', 'notifications', 'id', 'hubroute.notifications.id is NOT NULL');
SELECT has_column('hubroute', 'notifications', 'user_id', 'hubroute.notifications.user_id exists');
SELECT col_type_is('hubroute', 'notifications', 'user_id', 'bigint', 'hubroute.notifications.user_id is bigint');
SELECT col_not_null('hubroute', 'notifications', 'user_id', 'hubroute.notifications.user_id is NOT NULL');
SELECT has_column('hubroute', 'notifications', 'kind', 'hubroute.notifications.kind exists');
SELECT col_type_is('hubroute', 'notifications', 'kind', 'text', 'hubroute.notifications.kind is text');
SELECT col_not_null('hubroute', 'notifications', 'kind', 'hubroute.notifications.kind is NOT NULL');
SELECT has_column('hubroute', 'notifications', 'ticket_id', 'hubroute.notifications.ticket_id exists');
SELECT col_type_is('hubroute', 'notifications', 'ticket_id', 'bigint', 'hubroute.notifications.ticket_id is bigint');
SELECT col_is_null('hubroute', 'notifications', 'ticket_id', 'hubroute.notifications.ticket_id allows NULL');
SELECT has_column('hubroute', 'notifications', 'conversation_id', 'hubroute.notifications.conversation_id exists');
SELECT col_type_is('hubroute', 'notifications', 'conversation_id', 'bigint', 'hubroute.notifications.conversation_id is bigint');
SELECT col_is_null('hubroute', 'notifications', 'conversation_id', 'hubroute.notifications.conversation_id allows NULL');
SELECT has_column('hubroute', 'notifications', 'created_at', 'hubroute.notifications.created_at exists');
SELECT col_type_is('hubroute', 'notifications', 'created_at', 'timestamp with time zone', 'hubroute.notifications.created_at is timestamp with time zone');
SELECT col_not_null('hubroute', 'notifications', 'created_at', 'hubroute.notifications.created_at is NOT NULL');
SELECT col_default_is('hubroute', 'notifications', 'created_at', 'now()', 'hubroute.notifications.created_at defaults to ''now()''');
SELECT col_is_pk('hubroute', 'notifications', ARRAY['id'], 'hubroute.notifications has primary key (id)');
SELECT results_eq($$SELECT attidentity <> '' FROM pg_catalog.pg_attribute WHERE attrelid = 'hubroute.notifications'::regclass AND attname = 'id'$$, $$VALUES (true)$$, 'hubroute.notifications.id is generated (an identity column)');

-- Reporting views
SELECT has_view('hubroute', 'user_load', 'hubroute.user_load is a view');
SELECT has_column('hubroute', 'user_load', 'user_id', 'hubroute.user_load.user_id exists');
SELECT col_type_is('hubroute', 'user_load', 'user_id', 'bigint', 'hubroute.user_load.user_id is bigint');
SELECT has_column('hubroute', 'user_load', 'name', 'hubroute.user_load.name exists');
SELECT col_type_is('hubroute', 'user_load', 'name', 'text', 'hubroute.user_load.name is text');
SELECT has_column('hubroute', 'user_load', 'available', 'hubroute.user_load.available exists');
SELECT col_type_is('hubroute', 'user_load', 'available', 'boolean', 'hubroute.user_load.available is boolean');
SELECT has_column('hubroute', 'user_load', 'open_tickets', 'hubroute.user_load.open_tickets exists');
SELECT has_column('hubroute', 'user_load', 'open_conversations', 'hubroute.user_load.open_conversations exists');
SELECT has_column('hubroute', 'user_load', 'last_assigned_at', 'hubroute.user_load.last_assigned_at exists');
SELECT col_type_is('hubroute', 'user_load', 'last_assigned_at', 'timestamp with time zone', 'hubroute.user_load.last_assigned_at is timestamp with time zone');
SELECT has_view('hubroute', 'unassigned', 'hubroute.unassigned is a view');
SELECT has_column('hubroute', 'unassigned', 'kind', 'hubroute.unassigned.kind exists');
SELECT col_type_is('hubroute', 'unassigned', 'kind', 'text', 'hubroute.unassigned.kind is text');
SELECT has_column('hubroute', 'unassigned', 'id', 'hubroute.unassigned.id exists');
SELECT col_type_is('hubroute', 'unassigned', 'id', 'bigint', 'hubroute.unassigned.id is bigint');
SELECT has_column('hubroute', 'unassigned', 'channel_id', 'hubroute.unassigned.channel_id exists');
SELECT col_type_is('hubroute', 'unassigned', 'channel_id', 'bigint', 'hubroute.unassigned.channel_id is bigint');
SELECT has_column('hubroute', 'unassigned', 'created_at', 'hubroute.unassigned.created_at exists');
SELECT col_type_is('hubroute', 'unassigned', 'created_at', 'timestamp with time zone', 'hubroute.unassigned.created_at is timestamp with time zone');

-- Public functions
SELECT has_function('hubroute', 'route_ticket', ARRAY['bigint'], 'hubroute.route_ticket(bigint) exists');
SELECT function_returns('hubroute', 'route_ticket', ARRAY['bigint'], 'bigint', 'hubroute.route_ticket(bigint) returns bigint');
SELECT has_function('hubroute', 'route_conversation', ARRAY['bigint'], 'hubroute.route_conversation(bigint) exists');
SELECT function_returns('hubroute', 'route_conversation', ARRAY['bigint'], 'bigint', 'hubroute.route_conversation(bigint) returns bigint');

-- Capacity, the waiting queue and events (SPEC §6)
SELECT has_column('hubroute', 'users', 'ticket_capacity', 'hubroute.users.ticket_capacity exists');
SELECT col_type_is('hubroute', 'users', 'ticket_capacity', 'integer', 'hubroute.users.ticket_capacity is integer');
SELECT col_is_null('hubroute', 'users', 'ticket_capacity', 'hubroute.users.ticket_capacity allows NULL');
SELECT has_column('hubroute', 'users', 'conversation_capacity', 'hubroute.users.conversation_capacity exists');
SELECT col_type_is('hubroute', 'users', 'conversation_capacity', 'integer', 'hubroute.users.conversation_capacity is integer');
SELECT col_is_null('hubroute', 'users', 'conversation_capacity', 'hubroute.users.conversation_capacity allows NULL');
SELECT has_column('hubroute', 'channels', 'queue', 'hubroute.channels.queue exists');
SELECT col_type_is('hubroute', 'channels', 'queue', 'boolean', 'hubroute.channels.queue is boolean');
SELECT col_not_null('hubroute', 'channels', 'queue', 'hubroute.channels.queue is NOT NULL');
SELECT col_default_is('hubroute', 'channels', 'queue', false, 'hubroute.channels.queue defaults to false');
SELECT has_column('hubroute', 'tickets', 'priority', 'hubroute.tickets.priority exists');
SELECT col_type_is('hubroute', 'tickets', 'priority', 'smallint', 'hubroute.tickets.priority is smallint');
SELECT col_not_null('hubroute', 'tickets', 'priority', 'hubroute.tickets.priority is NOT NULL');
SELECT col_default_is('hubroute', 'tickets', 'priority', '0'::smallint, 'hubroute.tickets.priority defaults to 0');
SELECT has_column('hubroute', 'conversations', 'priority', 'hubroute.conversations.priority exists');
SELECT col_type_is('hubroute', 'conversations', 'priority', 'smallint', 'hubroute.conversations.priority is smallint');
SELECT col_not_null('hubroute', 'conversations', 'priority', 'hubroute.conversations.priority is NOT NULL');
SELECT col_default_is('hubroute', 'conversations', 'priority', '0'::smallint, 'hubroute.conversations.priority defaults to 0');
SELECT has_view('hubroute', 'queue', 'hubroute.queue is a view');
SELECT has_column('hubroute', 'queue', 'kind', 'hubroute.queue.kind exists');
SELECT col_type_is('hubroute', 'queue', 'kind', 'text', 'hubroute.queue.kind is text');
SELECT has_column('hubroute', 'queue', 'id', 'hubroute.queue.id exists');
SELECT col_type_is('hubroute', 'queue', 'id', 'bigint', 'hubroute.queue.id is bigint');
SELECT has_column('hubroute', 'queue', 'channel_id', 'hubroute.queue.channel_id exists');
SELECT col_type_is('hubroute', 'queue', 'channel_id', 'bigint', 'hubroute.queue.channel_id is bigint');
SELECT has_column('hubroute', 'queue', 'priority', 'hubroute.queue.priority exists');
SELECT col_type_is('hubroute', 'queue', 'priority', 'smallint', 'hubroute.queue.priority is smallint');
SELECT has_column('hubroute', 'queue', 'created_at', 'hubroute.queue.created_at exists');
SELECT col_type_is('hubroute', 'queue', 'created_at', 'timestamp with time zone', 'hubroute.queue.created_at is timestamp with time zone');
SELECT has_column('hubroute', 'queue', 'waiting_since', 'hubroute.queue.waiting_since exists');
SELECT col_type_is('hubroute', 'queue', 'waiting_since', 'timestamp with time zone', 'hubroute.queue.waiting_since is timestamp with time zone');
SELECT has_column('hubroute', 'queue', 'reason', 'hubroute.queue.reason exists');
SELECT col_type_is('hubroute', 'queue', 'reason', 'text', 'hubroute.queue.reason is text');
SELECT has_function('hubroute', 'drain', ARRAY['bigint'], 'hubroute.drain(bigint) exists');
SELECT function_returns('hubroute', 'drain', ARRAY['bigint'], 'integer', 'hubroute.drain(bigint) returns integer');
SELECT is(current_setting('hubroute.notify_channel'), '', 'hubroute.notify_channel is empty by default');

-- Extension properties (SPEC §1)
SELECT results_eq($$SELECT extrelocatable FROM pg_catalog.pg_extension WHERE extname = 'hubroute'$$, $$VALUES (false)$$, 'hubroute is not relocatable');
SELECT is_empty($$SELECT t FROM unnest(ARRAY['users', 'teams', 'team_members', 'workspaces', 'workspace_teams', 'channels', 'channel_targets', 'contacts', 'skills', 'user_skills', 'tickets', 'conversations', 'messages', 'assignments', 'notifications']) t
    WHERE ('hubroute.' || t)::regclass <> ALL (SELECT unnest(extconfig) FROM pg_catalog.pg_extension WHERE extname = 'hubroute')$$,
    'every table of SPEC §1 is registered with pg_extension_config_dump');
SELECT is_empty($$SELECT t FROM unnest(ARRAY['users', 'teams', 'team_members', 'workspaces', 'workspace_teams', 'channels', 'channel_targets', 'contacts', 'skills', 'user_skills', 'tickets', 'conversations', 'messages', 'assignments', 'notifications']) t
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass
                        AND d.objid = ('hubroute.' || t)::regclass AND d.deptype = 'e'
                        AND d.refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'hubroute'))$$,
    'every table of SPEC §1 belongs to the extension');

SELECT * FROM finish();
ROLLBACK;
