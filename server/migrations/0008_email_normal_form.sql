-- One normal form for email addresses (server/src/users/email-address.ts).
--
-- Uniqueness and every lookup move from PostgreSQL's lower(email), whose result
-- depends on the database's locale and disagreed with the limiter and lockout
-- keys computed in JavaScript, to a column holding the normal form computed by
-- the application.
--
-- email_normalized: the normal form. SQL cannot compute it for every address (it
--   needs IDNA and Unicode's locale-independent case mapping), so this migration
--   fills only plain-ASCII addresses, whose normal form is the trimmed address in
--   lower case (translate(), not lower(): a Turkish locale lower-cases I to ı).
--   The rest stay NULL until migrate() fills them in JavaScript right after the
--   SQL migrations (completeEmailNormalForms in src/db/email-normal-forms.ts).
--
-- email_duplicate_rank: 0 for the account that holds its address. Accounts that
--   existed side by side under lower(email) but share a normal form are all kept:
--   the earliest created keeps rank 0 and the others get 1, 2, … so that building
--   the unique index cannot fail. Only rank 0 is found by a lookup or a login;
--   start-up logs each such group and `roster users duplicates` lists them until
--   an operator gives the others another address (any change of address sets the
--   rank back to 0). A non-ASCII address that collides with an ASCII one gets the
--   higher rank, since it is filled in afterwards.

ALTER TABLE "user" ADD COLUMN "email_normalized" text;
ALTER TABLE "user" ADD COLUMN "email_duplicate_rank" integer DEFAULT 0 NOT NULL;

UPDATE "user"
SET "email_normalized" = translate(btrim("email", E' \t\n\v\f\r'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
WHERE "email" ~ '^[\x01-\x7F]*$';

UPDATE "user" AS u
SET "email_duplicate_rank" = ranked.rank
FROM (
  SELECT "id", (row_number() OVER (PARTITION BY "email_normalized" ORDER BY "created_at", "id") - 1)::integer AS rank
  FROM "user"
  WHERE "email_normalized" IS NOT NULL
) AS ranked
WHERE u."id" = ranked."id" AND ranked.rank > 0;

-- One account per address; also what lookups (the leading column) and order_by=email pages walk.
CREATE UNIQUE INDEX "user_email_normalized_key" ON "user" USING btree ("email_normalized", "email_duplicate_rank");
-- The accounts that still share an address: none, normally, so the index stays empty.
CREATE INDEX "user_email_duplicates_idx" ON "user" USING btree ("email_normalized") WHERE "email_duplicate_rank" > 0;
DROP INDEX "user_email_lower_key";
