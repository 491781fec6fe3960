-- Tell every Roster process when a session changes (revoked, refreshed, deleted),
-- so their session caches drop it when the change commits. Same shape as the
-- user triggers of 0002.

CREATE FUNCTION roster_notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' OR (SELECT count(*) FROM changed_sessions) > 1000 THEN
    PERFORM pg_notify('roster_session_changed', '*');
  ELSE
    PERFORM pg_notify('roster_session_changed', id::text) FROM changed_sessions;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER session_updated_notify AFTER UPDATE ON "session"
  REFERENCING OLD TABLE AS changed_sessions FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_session_changed();
CREATE TRIGGER session_deleted_notify AFTER DELETE ON "session"
  REFERENCING OLD TABLE AS changed_sessions FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_session_changed();

CREATE FUNCTION roster_notify_all_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('roster_session_changed', '*');
  RETURN NULL;
END $$;
CREATE TRIGGER session_truncated_notify AFTER TRUNCATE ON "session"
  FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_all_sessions_changed();
