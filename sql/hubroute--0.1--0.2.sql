-- hubroute 0.1 -> 0.2: ALTER EXTENSION hubroute UPDATE TO '0.2'.
--
-- Everything here is also in sql/hubroute.sql, the install script of 0.2;
-- test/sql/upgrade.sql checks that an updated 0.1 equals a fresh 0.2.

\echo Use "ALTER EXTENSION hubroute UPDATE TO '0.2'" to load this file. \quit

-- The distribution values routing knows, one per strategy (src/strategies.c).
CREATE FUNCTION hubroute.distributions() RETURNS SETOF text
    AS 'MODULE_PATHNAME', 'hubroute_distributions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
REVOKE ALL ON FUNCTION hubroute.distributions() FROM PUBLIC;
-- channels_validate() runs as the editor of a channel.
GRANT EXECUTE ON FUNCTION hubroute.distributions() TO hubroute_admin;

CREATE OR REPLACE FUNCTION hubroute.channels_validate() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM hubroute.require_one_of('channels', 'kind', NEW.kind,
        ARRAY['chat', 'bot', 'messenger', 'email', 'form', 'calling', 'whatsapp']);
    PERFORM hubroute.require_one_of('channels', 'assign_to', NEW.assign_to,
        ARRAY['nobody', 'users_and_teams', 'contact_owner', 'customer_agent']);
    PERFORM hubroute.require_one_of('channels', 'distribution', NEW.distribution,
        ARRAY(SELECT hubroute.distributions()));
    IF NEW.timezone IS NOT NULL THEN
        -- Ask PostgreSQL itself: it knows names, abbreviations and POSIX forms.
        BEGIN
            PERFORM pg_catalog.timezone(NEW.timezone, pg_catalog.now());
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE EXCEPTION 'invalid value for hubroute.channels.timezone: "%"', NEW.timezone
                USING ERRCODE = 'invalid_parameter_value',
                      COLUMN = 'timezone', TABLE = 'channels', SCHEMA = 'hubroute',
                      DETAIL = 'The time zone must be one PostgreSQL knows, such as ''Europe/Amsterdam'' (see pg_timezone_names).';
        END;
    END IF;
    IF NEW.fallback_user_id IS NOT NULL THEN
        PERFORM hubroute.require_seat('channels', 'fallback_user_id', NEW.fallback_user_id, NEW.workspace_id);
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND NEW.workspace_id OPERATOR(pg_catalog.<>) OLD.workspace_id THEN
        PERFORM hubroute.require_same_kind(OLD, NEW);
    END IF;
    RETURN NEW;
END;
$$;
