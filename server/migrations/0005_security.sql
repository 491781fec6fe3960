-- Counters for rate limits and login lockout, shared by every Roster process on the
-- database (when REDIS_URL is unset). One row per key; a row whose expires_at has passed
-- counts as absent and is deleted by a periodic sweep.
-- UNLOGGED: these are short-lived counters, rewritten on every login; skipping the WAL
-- makes each write cheaper, and losing them in a crash only forgets recent failures.
CREATE UNLOGGED TABLE "rate_limit_counter" (
  -- An opaque key: accounts appear only as hashes (see src/security/keys.ts).
  "key" varchar(200) PRIMARY KEY NOT NULL,
  "count" integer NOT NULL,
  "expires_at" timestamp with time zone NOT NULL
);
CREATE INDEX "rate_limit_counter_expires_at_idx" ON "rate_limit_counter" ("expires_at");
