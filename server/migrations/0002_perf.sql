-- Performance (issue 5): change notifications for the per-process user cache, an
-- exact user count that costs one row read, indexes for keyset pages in every
-- order, and trigram indexes for the substring search when pg_trgm is available.

-- 1. Every update or delete of users is announced on 'roster_user_changed' with the
--    row's id, from inside the changing transaction: PostgreSQL delivers it when
--    (and only if) the change commits. Large statements send '*' (forget all)
--    instead of one notification per row.
CREATE FUNCTION roster_notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' OR (SELECT count(*) FROM changed_users) > 1000 THEN
    PERFORM pg_notify('roster_user_changed', '*');
  ELSE
    PERFORM pg_notify('roster_user_changed', id::text) FROM changed_users;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER user_updated_notify AFTER UPDATE ON "user"
  REFERENCING OLD TABLE AS changed_users FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_user_changed();
CREATE TRIGGER user_deleted_notify AFTER DELETE ON "user"
  REFERENCING OLD TABLE AS changed_users FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_user_changed();

CREATE FUNCTION roster_notify_all_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('roster_user_changed', '*');
  RETURN NULL;
END $$;
CREATE TRIGGER user_truncated_notify AFTER TRUNCATE ON "user"
  FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_all_users_changed();

-- 2. The number of users, kept exact by statement-level triggers in the same
--    transactions as the inserts and deletes, so the unfiltered list's `count`
--    does not scan a million rows.
CREATE TABLE "user_count" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL CONSTRAINT "user_count_single_row" CHECK ("id"),
	"users" bigint NOT NULL
);
INSERT INTO "user_count" ("id", "users") SELECT true, count(*) FROM "user";

CREATE FUNCTION roster_count_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "user_count" SET "users" = "users" + (SELECT count(*) FROM inserted_users);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "user_count" SET "users" = "users" - (SELECT count(*) FROM deleted_users);
  ELSE
    UPDATE "user_count" SET "users" = 0;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER user_inserted_count AFTER INSERT ON "user"
  REFERENCING NEW TABLE AS inserted_users FOR EACH STATEMENT EXECUTE FUNCTION roster_count_users();
CREATE TRIGGER user_deleted_count AFTER DELETE ON "user"
  REFERENCING OLD TABLE AS deleted_users FOR EACH STATEMENT EXECUTE FUNCTION roster_count_users();
CREATE TRIGGER user_truncated_count AFTER TRUNCATE ON "user"
  FOR EACH STATEMENT EXECUTE FUNCTION roster_count_users();

-- 3. Indexes that the list queries can walk. The ones of 0000 were declared
--    DESC NULLS LAST, which an ORDER BY … DESC (NULLS FIRST) cannot use: every
--    first page sorted the whole table. Plain ascending indexes serve both
--    directions (a backward scan is DESC NULLS FIRST). order_by=email walks
--    user_email_lower_key; full_name gets its own.
DROP INDEX "user_created_at_idx";
CREATE INDEX "user_created_at_idx" ON "user" USING btree ("created_at","id");
DROP INDEX "item_created_at_idx";
CREATE INDEX "item_created_at_idx" ON "item" USING btree ("created_at","id");
DROP INDEX "item_owner_created_at_idx";
CREATE INDEX "item_owner_created_at_idx" ON "item" USING btree ("owner_id","created_at","id");
CREATE INDEX "user_full_name_idx" ON "user" USING btree ("full_name","id");

-- 4. Substring search (ILIKE '%q%') on email and full name through trigram GIN
--    indexes. pg_trgm is a trusted extension on PostgreSQL 13+ (the database owner
--    may create it); where it is missing or not allowed, search still works,
--    by a scan.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')
     AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm not created (%): substring search runs without a trigram index', SQLERRM;
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX "user_email_trgm_idx" ON "user" USING gin ("email" gin_trgm_ops);
    CREATE INDEX "user_full_name_trgm_idx" ON "user" USING gin ("full_name" gin_trgm_ops);
  END IF;
END $$;
