-- Organizations (issue 18): company accounts with owners, admins and members, invitations
-- by email, verified domains for just-in-time membership, and the organization a session
-- has chosen as active (its access tokens carry org_id and org_role).

CREATE TABLE "organization" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "name" varchar(255) NOT NULL,
  "slug" varchar(64) NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
-- The unique index decides two creations racing for one slug.
CREATE UNIQUE INDEX "organization_slug_key" ON "organization" ("slug");
-- Keyset pages by name (GET /orgs).
CREATE INDEX "organization_name_idx" ON "organization" ("name", "id");

CREATE TABLE "org_member" (
  "org_id" uuid NOT NULL REFERENCES "organization"("id") ON DELETE CASCADE,
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  "role" varchar(16) NOT NULL CHECK ("role" IN ('owner', 'admin', 'member')),
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  PRIMARY KEY ("org_id", "user_id")
);
CREATE INDEX "org_member_user_idx" ON "org_member" ("user_id");

-- Only the SHA-256 of an invitation's token is stored. At most one pending invitation per
-- organization and address (by normal form): inviting again replaces it.
CREATE TABLE "org_invitation" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "org_id" uuid NOT NULL REFERENCES "organization"("id") ON DELETE CASCADE,
  "email" varchar(255) NOT NULL,
  "email_normalized" text NOT NULL,
  "role" varchar(16) NOT NULL CHECK ("role" IN ('owner', 'admin', 'member')),
  "token_hash" varchar(64) NOT NULL,
  "invited_by" uuid REFERENCES "user"("id") ON DELETE SET NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "accepted_at" timestamp with time zone,
  "revoked_at" timestamp with time zone
);
CREATE UNIQUE INDEX "org_invitation_token_key" ON "org_invitation" ("token_hash");
CREATE UNIQUE INDEX "org_invitation_pending_key" ON "org_invitation" ("org_id", "email_normalized")
  WHERE "accepted_at" IS NULL AND "revoked_at" IS NULL;

-- A domain belongs to one organization at most: the primary key decides it.
CREATE TABLE "org_domain" (
  "domain" text PRIMARY KEY NOT NULL,
  "org_id" uuid NOT NULL REFERENCES "organization"("id") ON DELETE CASCADE,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
CREATE INDEX "org_domain_org_idx" ON "org_domain" ("org_id");

-- The organization a session chose (POST /users/me/active-org); refreshes keep the claim.
ALTER TABLE "session" ADD COLUMN "active_org_id" uuid REFERENCES "organization"("id") ON DELETE SET NULL;

-- Tell every process when a membership changes or ends (a role change, a removal, the
-- organization deleted), so the cache that checks access tokens' org claims drops it when
-- the change commits. The payload is "<org_id>:<user_id>"; '*' means anything may have changed.
CREATE FUNCTION roster_notify_org_member_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' OR (SELECT count(*) FROM changed_members) > 1000 THEN
    PERFORM pg_notify('roster_org_member_changed', '*');
  ELSE
    PERFORM pg_notify('roster_org_member_changed', org_id::text || ':' || user_id::text) FROM changed_members;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER org_member_updated_notify AFTER UPDATE ON "org_member"
  REFERENCING OLD TABLE AS changed_members FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_org_member_changed();
CREATE TRIGGER org_member_deleted_notify AFTER DELETE ON "org_member"
  REFERENCING OLD TABLE AS changed_members FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_org_member_changed();

CREATE FUNCTION roster_notify_all_org_members_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('roster_org_member_changed', '*');
  RETURN NULL;
END $$;
CREATE TRIGGER org_member_truncated_notify AFTER TRUNCATE ON "org_member"
  FOR EACH STATEMENT EXECUTE FUNCTION roster_notify_all_org_members_changed();
