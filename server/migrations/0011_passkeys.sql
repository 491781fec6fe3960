-- Passkeys (WebAuthn credentials) and the challenges of their ceremonies.
-- A credential id is unique across all users: an authenticator answers with it alone
-- (discoverable sign-in), so it must name one account.
CREATE TABLE "passkey" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  "credential_id" text NOT NULL,
  "public_key" text NOT NULL,
  "counter" bigint DEFAULT 0 NOT NULL,
  "transports" jsonb DEFAULT '[]'::jsonb NOT NULL,
  "device_type" varchar(16) NOT NULL,
  "backed_up" boolean NOT NULL,
  "aaguid" varchar(36),
  "name" varchar(64) NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "last_used_at" timestamp with time zone
);
CREATE UNIQUE INDEX "passkey_credential_id_key" ON "passkey" ("credential_id");
CREATE INDEX "passkey_user_idx" ON "passkey" ("user_id", "created_at");

-- A challenge lives 5 minutes and is deleted when used; only its SHA-256 is kept.
-- `user_id` binds it to the account it was issued for (registration, second factor);
-- NULL for a discoverable sign-in, where nobody is known yet.
CREATE TABLE "webauthn_challenge" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "purpose" varchar(16) NOT NULL,
  "user_id" uuid REFERENCES "user"("id") ON DELETE CASCADE,
  "challenge_hash" varchar(64) NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "expires_at" timestamp with time zone NOT NULL
);
CREATE UNIQUE INDEX "webauthn_challenge_hash_key" ON "webauthn_challenge" ("challenge_hash");
CREATE INDEX "webauthn_challenge_expires_at_idx" ON "webauthn_challenge" ("expires_at");
