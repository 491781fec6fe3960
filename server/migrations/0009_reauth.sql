-- Re-authentication: when a session last proved its user's password (a login; later a
-- second factor too). A refresh does not move it, so a stolen refresh or access token
-- cannot make a session "recent" again. Sessions from before this migration were all
-- opened by a password login, at their creation.
ALTER TABLE "session" ADD COLUMN "authenticated_at" timestamp with time zone;
UPDATE "session" SET "authenticated_at" = "created_at";
ALTER TABLE "session" ALTER COLUMN "authenticated_at" SET DEFAULT now();
ALTER TABLE "session" ALTER COLUMN "authenticated_at" SET NOT NULL;
