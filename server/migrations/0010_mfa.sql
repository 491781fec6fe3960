-- Multi-factor authentication (issue 13).

-- Whether the account has a second factor (a confirmed TOTP, later a passkey): kept by
-- the MFA service in the transaction that changes a factor, so a login, UserPublic and
-- the admin filter read one column, and the user caches hear of it by the "user" trigger.
ALTER TABLE "user" ADD COLUMN "mfa_enabled" boolean NOT NULL DEFAULT false;
CREATE INDEX "user_mfa_enabled_idx" ON "user" ("mfa_enabled", "created_at", "id") WHERE "mfa_enabled";

-- What a session's sign-in proved (RFC 8176 method references) and its assurance level.
-- Every session before this migration was opened by a password alone.
ALTER TABLE "session" ADD COLUMN "amr" jsonb NOT NULL DEFAULT '["pwd"]'::jsonb;
ALTER TABLE "session" ADD COLUMN "aal" smallint NOT NULL DEFAULT 1;

-- One TOTP authenticator per user: pending until confirmed with a code.
CREATE TABLE "mfa_totp" (
  "user_id" uuid PRIMARY KEY NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  -- AES-256-GCM under a key derived from SECRET_KEY, prefixed by its key version (see mfa/secret-box.ts).
  "secret_encrypted" text NOT NULL,
  "confirmed_at" timestamp with time zone,
  -- The last accepted 30-second step: a code of that step or an earlier one is refused (no replay).
  "last_used_step" bigint,
  "created_at" timestamp with time zone NOT NULL DEFAULT now()
);

-- Recovery codes, stored only as SHA-256 of their normal form; each works once.
CREATE TABLE "mfa_recovery_code" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  "code_hash" varchar(64) NOT NULL,
  "used_at" timestamp with time zone,
  "created_at" timestamp with time zone NOT NULL DEFAULT now()
);
CREATE INDEX "mfa_recovery_code_user_idx" ON "mfa_recovery_code" ("user_id");

-- The token between a first factor and the second-factor step (or the enrolment MFA_REQUIRED asks for).
CREATE TABLE "mfa_token" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  "token_hash" varchar(64) NOT NULL,
  -- `challenge`: a second factor is owed; `setup`: one must be enrolled first.
  "purpose" varchar(16) NOT NULL,
  -- The first factor's proof (method and amr), joined to the second's when the session opens.
  "method" varchar(64) NOT NULL,
  "amr" jsonb NOT NULL,
  "failures" integer NOT NULL DEFAULT 0,
  "created_at" timestamp with time zone NOT NULL DEFAULT now(),
  "expires_at" timestamp with time zone NOT NULL,
  "used_at" timestamp with time zone
);
CREATE UNIQUE INDEX "mfa_token_hash_key" ON "mfa_token" ("token_hash");
CREATE INDEX "mfa_token_user_idx" ON "mfa_token" ("user_id");
CREATE INDEX "mfa_token_expires_at_idx" ON "mfa_token" ("expires_at");

-- Browsers that passed the second factor and asked to be remembered (MFA_REMEMBER_DAYS).
CREATE TABLE "remembered_device" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  "token_hash" varchar(64) NOT NULL,
  "user_agent" varchar(512),
  "ip" varchar(64),
  "created_at" timestamp with time zone NOT NULL DEFAULT now(),
  "last_used_at" timestamp with time zone NOT NULL DEFAULT now(),
  "expires_at" timestamp with time zone NOT NULL
);
CREATE UNIQUE INDEX "remembered_device_hash_key" ON "remembered_device" ("token_hash");
CREATE INDEX "remembered_device_user_idx" ON "remembered_device" ("user_id", "created_at" DESC);
