-- Sessions with rotating refresh tokens, and the audit log.

CREATE TABLE "session" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  -- Updated at each refresh, not at each request (that would be a write per request).
  "last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "user_agent" varchar(512),
  "ip" varchar(64),
  "revoked_at" timestamp with time zone,
  "revoked_reason" varchar(40)
);
CREATE INDEX "session_user_idx" ON "session" ("user_id", "created_at" DESC);

-- One row per refresh token ever issued for a session; only the SHA-256 is kept.
CREATE TABLE "refresh_token" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "session_id" uuid NOT NULL REFERENCES "session"("id") ON DELETE CASCADE,
  "token_hash" varchar(64) NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "used_at" timestamp with time zone
);
CREATE UNIQUE INDEX "refresh_token_hash_key" ON "refresh_token" ("token_hash");
CREATE INDEX "refresh_token_session_idx" ON "refresh_token" ("session_id");

-- Security events. Actor and target are plain ids, not foreign keys: the record outlives the user.
CREATE TABLE "audit_event" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "at" timestamp with time zone DEFAULT now() NOT NULL,
  "type" varchar(64) NOT NULL,
  "actor_id" uuid,
  "target_id" uuid,
  "ip" varchar(64),
  "user_agent" varchar(512),
  "details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
CREATE INDEX "audit_event_at_idx" ON "audit_event" ("at" DESC, "id" DESC);
CREATE INDEX "audit_event_actor_idx" ON "audit_event" ("actor_id", "at" DESC);
CREATE INDEX "audit_event_target_idx" ON "audit_event" ("target_id", "at" DESC);
CREATE INDEX "audit_event_type_idx" ON "audit_event" ("type", "at" DESC);
