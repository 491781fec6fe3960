/**
 * `roster import --from-template URL` against a PostgreSQL database laid out like
 * the full-stack FastAPI template's (its `user` and `item` tables, column names
 * and types as its SQLModel models create them), holding argon2 and bcrypt hashes
 * made by other libraries. Needs TEST_DATABASE_URL for the template's database;
 * Roster's own database is PGlite or PostgreSQL as the project says.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiLoginStatus,
  type CliDatabase,
  FOREIGN_HASHES,
  FOREIGN_PASSWORD,
  freshCliDatabase,
  queryRows,
} from '../helpers/cli.js';
import { createPostgresDatabase } from '../helpers/database.js';

const TEMPLATE_SCHEMA = `
  CREATE TABLE "user" (
    email VARCHAR(255) NOT NULL,
    is_active BOOLEAN NOT NULL,
    is_superuser BOOLEAN NOT NULL,
    full_name VARCHAR(255),
    hashed_password VARCHAR NOT NULL,
    id UUID NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id)
  );
  CREATE UNIQUE INDEX ix_user_email ON "user" (email);
  CREATE TABLE item (
    description VARCHAR(255),
    title VARCHAR(255) NOT NULL,
    id UUID NOT NULL,
    owner_id UUID NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (id),
    FOREIGN KEY (owner_id) REFERENCES "user" (id) ON DELETE CASCADE
  );`;

const hashOf = (prefix: string) => FOREIGN_HASHES.find((h) => h.hash.startsWith(prefix))?.hash as string;
const templateUsers = [
  // The template's own defaults: argon2id m=65536,t=3,p=4 (argon2-cffi) and bcrypt $2b$12$ (passlib).
  [
    '11111111-1111-4111-8111-111111111111',
    'admin@example.com',
    hashOf('$argon2id$v=19$m=65536'),
    'Template Admin',
    true,
    true,
    '2024-01-02T03:04:05.123456+00:00',
  ],
  [
    '22222222-2222-4222-8222-222222222222',
    'Old.User@Example.com',
    hashOf('$2b$12$'),
    null,
    true,
    false,
    '2023-05-06T07:08:09.5+00:00',
  ],
  ['33333333-3333-4333-8333-333333333333', 'htpasswd@example.com', hashOf('$2y$'), 'Apache Hash', false, false, null],
  [
    '44444444-4444-4444-8444-444444444444',
    'OLD.USER@example.com',
    hashOf('$2a$'),
    'Same address, other case',
    true,
    false,
    '2025-01-01T00:00:00+00:00',
  ],
] as const;

const skipUnlessPostgres = !process.env.TEST_DATABASE_URL;

describe.skipIf(skipUnlessPostgres)('import --from-template', () => {
  let template: { url: string; drop: () => Promise<void> };
  let roster: CliDatabase;

  beforeAll(async () => {
    template = await createPostgresDatabase('fastapi_template');
    const client = new pg.Client({ connectionString: template.url });
    await client.connect();
    try {
      await client.query(TEMPLATE_SCHEMA);
      for (const row of templateUsers) {
        await client.query(
          'INSERT INTO "user" (id, email, hashed_password, full_name, is_active, is_superuser, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [...row],
        );
      }
      await client.query(
        `INSERT INTO item (id, title, description, owner_id, created_at) VALUES
           ('aaaaaaaa-0000-4000-8000-000000000001', 'First item', 'Made in the template', $1, '2024-02-01T00:00:00Z'),
           ('aaaaaaaa-0000-4000-8000-000000000002', 'Second item', NULL, $1, NULL),
           ('aaaaaaaa-0000-4000-8000-000000000003', 'Lost with its owner', NULL, $2, NULL)`,
        [templateUsers[0][0], templateUsers[3][0]],
      );
    } finally {
      await client.end();
    }
    roster = await freshCliDatabase();
  });

  afterAll(async () => {
    await roster?.drop();
    await template?.drop();
  });

  it('keeps ids, emails, names, flags, created_at and hashes, and the items', async () => {
    const result = await roster.run(['import', '--from-template', template.url]);
    expect(result.stderr).not.toContain('roster:');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Imported 3 users and 2 items from the template database/);
    // The template compared emails exactly; Roster does not: the second spelling is reported, not imported.
    expect(result.stdout).toContain('row 4: OLD.USER@example.com (same email as row 2)');

    const users = await roster.inspect((h) =>
      queryRows(
        h,
        `SELECT id::text, email, hashed_password, full_name, is_active, is_superuser, is_verified,
                to_json(created_at) #>> '{}' AS created_at FROM "user" ORDER BY id`,
      ),
    );
    expect(users).toHaveLength(3);
    for (const [index, [id, email, hash, name, active, superuser, createdAt]] of templateUsers.slice(0, 3).entries()) {
      expect(users[index]).toMatchObject({
        id,
        email,
        hashed_password: hash,
        full_name: name,
        is_active: active,
        is_superuser: superuser,
        is_verified: false,
      });
      if (createdAt) expect(new Date(users[index]?.created_at as string).toISOString()).toBe(new Date(createdAt).toISOString());
    }
    expect(users[0]?.created_at).toBe('2024-01-02T03:04:05.123456+00:00');

    const items = await roster.inspect((h) =>
      queryRows(h, `SELECT id::text, title, description, owner_id::text FROM item ORDER BY id`),
    );
    expect(items).toEqual([
      {
        id: 'aaaaaaaa-0000-4000-8000-000000000001',
        title: 'First item',
        description: 'Made in the template',
        owner_id: templateUsers[0][0],
      },
      { id: 'aaaaaaaa-0000-4000-8000-000000000002', title: 'Second item', description: null, owner_id: templateUsers[0][0] },
    ]);
  });

  it('lets the imported users sign in through the API with their old passwords', async () => {
    await roster.inspect(async (handle) => {
      expect(await apiLoginStatus(handle, 'admin@example.com', FOREIGN_PASSWORD)).toBe(200);
      expect(await apiLoginStatus(handle, 'old.user@example.com', FOREIGN_PASSWORD)).toBe(200);
      expect(await apiLoginStatus(handle, 'old.user@example.com', 'not-the-password')).toBe(400);
      // Right password, deactivated in the template: still deactivated here.
      const inactive = await apiLoginStatus(handle, 'htpasswd@example.com', FOREIGN_PASSWORD);
      expect(inactive).toBe(400);
      // The login re-hashed the old hash with Roster's Argon2id parameters.
      const [admin] = await queryRows<{ hashed_password: string }>(
        handle,
        `SELECT hashed_password FROM "user" WHERE email = 'admin@example.com'`,
      );
      expect(admin?.hashed_password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });
  });

  it('is safe to run again: every user is reported as there already', async () => {
    const result = await roster.run(['import', '--from-template', template.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Imported 0 users from the template database/);
    expect(result.stdout).toContain('Skipped 4 users');
  });

  it('fails with one line when the database is not laid out like the template', async () => {
    const other = await createPostgresDatabase('not_template');
    try {
      const client = new pg.Client({ connectionString: other.url });
      await client.connect();
      await client.query('CREATE TABLE "user" (id uuid PRIMARY KEY, email text)');
      await client.end();
      const result = await roster.run(['import', '--from-template', other.url]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `roster: the template's "user" table has no "hashed_password", "full_name", "is_active", "is_superuser" column\n`,
      );
      const unreachable = await roster.run(['import', '--from-template', 'postgres://postgres@127.0.0.1:1/none']);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(/^roster: cannot connect to the template database: .*\n$/);
    } finally {
      await other.drop();
    }
  });
});
