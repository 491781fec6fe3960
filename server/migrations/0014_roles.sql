-- Global roles (issue 18): named sets of permission codes, and who holds them.
--
-- The built-in roles' permissions are defined in code (src/roles/catalogue.ts); their
-- rows exist so that names stay unique and user_role can reference them. `superuser`
-- is held through "user".is_superuser (what UserPublic.is_superuser has always meant),
-- never through user_role.
CREATE TABLE "role" (
  "name" varchar(63) PRIMARY KEY CHECK ("name" ~ '^[a-z][a-z0-9_]{1,62}$'),
  "description" varchar(255),
  "permissions" text[] NOT NULL DEFAULT '{}',
  "built_in" boolean NOT NULL DEFAULT false,
  "created_at" timestamp with time zone NOT NULL DEFAULT now()
);
INSERT INTO "role" ("name", "description", "built_in") VALUES
  ('superuser', 'Every permission', true),
  ('user_admin', 'Reads and changes users, signs them out, reads the audit log; cannot touch superusers', true),
  ('support', 'Reads users and the audit log', true);

CREATE TABLE "user_role" (
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  "role_name" varchar(63) NOT NULL REFERENCES "role"("name") ON DELETE CASCADE ON UPDATE CASCADE
    CHECK ("role_name" <> 'superuser'),
  "granted_at" timestamp with time zone NOT NULL DEFAULT now(),
  PRIMARY KEY ("user_id", "role_name")
);
CREATE INDEX "user_role_role_name_idx" ON "user_role" ("role_name");

-- The user cache (src/auth/user-cache.ts) holds each user's roles and permissions, so a
-- grant or revocation is announced like any change to the user row (migration 0002):
-- on 'roster_user_changed', when the change commits.
CREATE FUNCTION roster_notify_user_roles_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(DISTINCT user_id) FROM changed_grants) > 1000 THEN
    PERFORM pg_notify('roster_user_changed', '*');
  ELSE
    PERFORM pg_notify('roster_user_changed', user_id::text) FROM (SELECT DISTINCT user_id FROM changed_grants) AS changed;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER user_role_inserted_notify AFTER INSERT ON "user_role"
  REFERENCING NEW TABLE AS changed_grants FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_user_roles_changed();
CREATE TRIGGER user_role_updated_notify AFTER UPDATE ON "user_role"
  REFERENCING OLD TABLE AS changed_grants FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_user_roles_changed();
CREATE TRIGGER user_role_deleted_notify AFTER DELETE ON "user_role"
  REFERENCING OLD TABLE AS changed_grants FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_user_roles_changed();

-- A role's new permissions concern everyone who holds it: rare enough to forget every cached user.
CREATE TRIGGER role_updated_notify AFTER UPDATE OR DELETE ON "role"
  FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_all_users_changed();
