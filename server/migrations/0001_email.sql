-- Email that is written in the same transaction as the change that causes it and
-- sent later by a worker (the outbox), and the single-use tokens that emails carry.

CREATE TABLE "email_outbox" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  -- Stable across retries, so a duplicate delivery is recognisable.
  "message_id" text NOT NULL,
  "kind" varchar(40) NOT NULL,
  "to_address" varchar(255) NOT NULL,
  "subject" text NOT NULL,
  "html" text NOT NULL,
  "text" text NOT NULL,
  -- pending: to send; sent; failed: gave up after the last retry; kept: the local dev mailbox.
  "status" varchar(16) DEFAULT 'pending' NOT NULL,
  "attempts" integer DEFAULT 0 NOT NULL,
  "last_error" text,
  "send_after" timestamp with time zone DEFAULT now() NOT NULL,
  -- A claim by one worker; expires so that a crashed worker's mail is sent by another.
  "locked_until" timestamp with time zone,
  "sent_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
CREATE UNIQUE INDEX "email_outbox_message_id_key" ON "email_outbox" ("message_id");
CREATE INDEX "email_outbox_due_idx" ON "email_outbox" ("send_after") WHERE "status" = 'pending';
CREATE INDEX "email_outbox_created_at_idx" ON "email_outbox" ("created_at");

CREATE TABLE "user_token" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  -- password_reset | email_verification
  "purpose" varchar(32) NOT NULL,
  -- SHA-256 of the token; the token itself is only ever in the email.
  "token_hash" varchar(64) NOT NULL,
  -- The address the token was sent to: a verification is for that address only.
  "email" varchar(255) NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "used_at" timestamp with time zone
);
CREATE UNIQUE INDEX "user_token_hash_key" ON "user_token" ("token_hash");
CREATE INDEX "user_token_user_purpose_idx" ON "user_token" ("user_id", "purpose", "created_at" DESC);
