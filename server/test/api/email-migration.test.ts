/**
 * Migration 0008 (one normal form for emails) on a database that already has
 * users, including some that collide under the new form: all are kept, the unique
 * index is built, and the collisions are reported, on PGlite and PostgreSQL alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OneTimeTokens } from '../../src/auth/one-time-tokens.js';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { type DbHandle, openDatabase } from '../../src/db/client.js';
import { migrate, migrationsDir } from '../../src/db/migrate.js';
import { EmailTakenError, UsersService } from '../../src/users/service.js';
import { systemClock } from '../../src/utils/clock.js';
import { testConfig } from '../helpers/app.js';
import { queryRows } from '../helpers/cli.js';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { startRoster } from '../helpers/process.js';

const NORMAL_FORM_MIGRATION = '0008_email_normal_form.sql';

let handle: DbHandle;
let dropDatabase: () => Promise<void>;
let before: string;

beforeAll(async () => {
  if (onPostgres) {
    const created = await createPostgresDatabase('roster_emailnorm');
    handle = await openDatabase({ databaseUrl: created.url, dataDir: null, poolSize: 3 });
    dropDatabase = async () => {
      await handle.close();
      await created.drop();
    };
  } else {
    handle = await openDatabase({ databaseUrl: null, dataDir: null, template: null });
    dropDatabase = () => handle.close();
  }
  // The database as the release before 0008 left it.
  before = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-before-0008-'));
  for (const name of fs.readdirSync(migrationsDir).filter((n) => n.endsWith('.sql') && n < NORMAL_FORM_MIGRATION)) {
    fs.copyFileSync(path.join(migrationsDir, name), path.join(before, name));
  }
  await migrate(handle, before);
});

afterAll(async () => {
  await dropDatabase?.();
  fs.rmSync(before, { recursive: true, force: true });
});

/** Rows the old unique index on lower(email) let exist side by side, with their creation order. */
const EXISTING: [minute: number, email: string][] = [
  // A non-ASCII spelling created before the plain one: the plain ASCII spelling still keeps the address.
  [0, 'ａnn@example.com'],
  [1, 'Ann@Example.com'],
  // Two ASCII rows that differ only by stored whitespace: the earlier keeps it.
  [2, 'bob@example.com'],
  [3, ' bob@example.com'],
  // Two non-ASCII spellings (a ligature, a full-width domain): the earlier keeps it.
  [4, 'ﬁona@example.com'],
  [5, 'fiona@ｅxample.com'],
  // No collision.
  [6, 'Jürgen@Bücher.de'],
  [7, 'dora@example.com'],
];

function users(): UsersService {
  return new UsersService(handle.db, new PasswordHasher(testConfig().argon2), new OneTimeTokens(systemClock, 1));
}

describe('migration 0008 on a database with users', () => {
  it('keeps every row, fills the normal form and ranks the collisions instead of failing', async () => {
    const values = EXISTING.map(
      ([minute, email]) =>
        `('${email.replaceAll("'", "''")}', 'x', timestamptz '2025-01-01T00:00:00Z' + interval '${minute} minutes')`,
    );
    await handle.exec(`INSERT INTO "user" (email, hashed_password, created_at) VALUES ${values.join(', ')}`);

    expect((await migrate(handle))[0]).toBe(NORMAL_FORM_MIGRATION);

    const rows = await queryRows<{ email: string; email_normalized: string; email_duplicate_rank: number }>(
      handle,
      'SELECT email, email_normalized, email_duplicate_rank FROM "user" ORDER BY created_at',
    );
    expect(rows).toEqual([
      { email: 'ａnn@example.com', email_normalized: 'ann@example.com', email_duplicate_rank: 1 },
      { email: 'Ann@Example.com', email_normalized: 'ann@example.com', email_duplicate_rank: 0 },
      { email: 'bob@example.com', email_normalized: 'bob@example.com', email_duplicate_rank: 0 },
      { email: ' bob@example.com', email_normalized: 'bob@example.com', email_duplicate_rank: 1 },
      { email: 'ﬁona@example.com', email_normalized: 'fiona@example.com', email_duplicate_rank: 0 },
      { email: 'fiona@ｅxample.com', email_normalized: 'fiona@example.com', email_duplicate_rank: 1 },
      { email: 'Jürgen@Bücher.de', email_normalized: 'jürgen@xn--bcher-kva.de', email_duplicate_rank: 0 },
      { email: 'dora@example.com', email_normalized: 'dora@example.com', email_duplicate_rank: 0 },
    ]);
    // Run again (the next start): nothing to do.
    expect(await migrate(handle)).toEqual([]);
  });

  it('lists each collision group, the account that keeps the address first', async () => {
    const groups = await users().emailDuplicates();
    expect(groups.map((g) => [g.normalized, g.accounts.map((a) => a.email)])).toEqual([
      ['ann@example.com', ['Ann@Example.com', 'ａnn@example.com']],
      ['bob@example.com', ['bob@example.com', ' bob@example.com']],
      ['fiona@example.com', ['ﬁona@example.com', 'fiona@ｅxample.com']],
    ]);
  });

  it('finds the account that keeps the address by any spelling, and refuses a new one', async () => {
    const service = users();
    expect((await service.getByEmail('ＡＮＮ@example.com'))?.email).toBe('Ann@Example.com');
    expect((await service.getByEmail('fiona@EXAMPLE.com'))?.email).toBe('ﬁona@example.com');
    expect((await service.getByEmail('jürgen@xn--bcher-kva.de'))?.email).toBe('Jürgen@Bücher.de');
    await expect(service.create({ email: 'ANN@example.com', password: 'another-password' })).rejects.toBeInstanceOf(
      EmailTakenError,
    );
  });

  it('a duplicate given a new address (or its old one, once free) leaves the report', async () => {
    const service = users();
    const [bob] = await queryRows<{ id: string }>(handle, `SELECT id FROM "user" WHERE email = ' bob@example.com'`);
    // Its own spelling is still taken by the account that keeps it.
    await expect(service.update(bob?.id as string, { email: 'bob@example.com' })).rejects.toBeInstanceOf(EmailTakenError);
    const moved = await service.update(bob?.id as string, { email: 'robert@example.com' });
    expect(moved).toMatchObject({ emailNormalized: 'robert@example.com', emailDuplicateRank: 0 });
    expect((await service.emailDuplicates()).map((g) => g.normalized)).toEqual(['ann@example.com', 'fiona@example.com']);
  });
});

describe('start-up after migration 0008', () => {
  it('logs one warning per group of accounts that share an address, and starts', async () => {
    let env: Record<string, string>;
    let cleanup: () => Promise<void>;
    let old: DbHandle;
    if (onPostgres) {
      const created = await createPostgresDatabase('roster_emailnorm_start');
      old = await openDatabase({ databaseUrl: created.url, dataDir: null, poolSize: 2 });
      env = { DATABASE_URL: created.url };
      cleanup = created.drop;
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-emailnorm-start-'));
      old = await openDatabase({ databaseUrl: null, dataDir, template: null });
      env = { DATA_DIR: dataDir };
      cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
    }
    try {
      await migrate(old, before);
      await old.exec(`INSERT INTO "user" (email, hashed_password, created_at) VALUES
        ('ann@example.com', 'x', '2025-01-01T00:00:00Z'), ('ａnn@example.com', 'x', '2025-01-01T00:01:00Z'),
        ('ﬁona@example.com', 'x', '2025-01-01T00:02:00Z'), ('fiona@ｅxample.com', 'x', '2025-01-01T00:03:00Z'),
        ('carl@example.com', 'x', '2025-01-01T00:04:00Z')`);
      await old.close();
      const roster = await startRoster({ ...env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' }, ['--local-defaults']);
      try {
        await roster.ready();
        const warnings = roster
          .output()
          .split('\n')
          .filter((line) => line.includes('accounts share the email address'));
        expect(warnings).toHaveLength(2);
        expect(warnings[0]).toContain('2 accounts share the email address ann@example.com');
        expect(warnings[1]).toContain('2 accounts share the email address fiona@example.com');
        expect(JSON.parse(warnings[1] as string)).toMatchObject({
          level: 40,
          normalizedEmail: 'fiona@example.com',
          users: [{ email: 'ﬁona@example.com' }, { email: 'fiona@ｅxample.com' }],
        });
      } finally {
        await roster.stop();
      }
    } finally {
      await cleanup();
    }
  }, 180_000);
});
