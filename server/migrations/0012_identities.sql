-- Sign-in with other providers (issue 15): the identities linked to each account, and the
-- sign-ins under way between a redirect to a provider and its callback.

-- One provider identity (provider + its subject) belongs to at most one account, and an
-- account links at most one identity per provider.
CREATE TABLE "user_identity" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "user_id" uuid NOT NULL REFERENCES "user"("id") ON DELETE CASCADE,
  "provider" varchar(40) NOT NULL,
  "subject" varchar(255) NOT NULL,
  -- The email the provider gave when the identity was linked or last used (shown, never compared).
  "email" varchar(255),
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "last_used_at" timestamp with time zone
);
CREATE UNIQUE INDEX "user_identity_provider_subject_key" ON "user_identity" ("provider", "subject");
CREATE UNIQUE INDEX "user_identity_user_provider_key" ON "user_identity" ("user_id", "provider");

-- A sign-in under way: only the SHA-256 of its state is kept (the browser holds the state in an
-- HttpOnly cookie; the PKCE verifier and the nonce are derived from it with SECRET_KEY). Single use:
-- the callback deletes the row it uses. `link_user_id` is set when a signed-in user links a provider.
CREATE TABLE "oauth_flow" (
  "state_hash" varchar(64) PRIMARY KEY NOT NULL,
  "provider" varchar(40) NOT NULL,
  "redirect_to" text NOT NULL,
  "link_user_id" uuid REFERENCES "user"("id") ON DELETE CASCADE,
  "expires_at" timestamp with time zone NOT NULL
);
CREATE INDEX "oauth_flow_expires_at_idx" ON "oauth_flow" ("expires_at");
