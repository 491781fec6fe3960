-- Wake the email workers of every Roster process when mail is queued. The
-- notification is delivered when the transaction that queued the mail commits,
-- so a worker never looks for a message before it is visible (an in-process
-- wake-up ran before the commit, and the mail waited for the next poll).

CREATE FUNCTION roster_notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM queued WHERE status = 'pending') THEN
    PERFORM pg_notify('roster_outbox', '');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER email_outbox_queued_notify AFTER INSERT ON "email_outbox"
  REFERENCING NEW TABLE AS queued FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_outbox();
