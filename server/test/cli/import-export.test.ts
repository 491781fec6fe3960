/** `roster export` and `roster import FILE` against fresh databases, through the real command. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { testConfig } from '../helpers/app.js';
import {
  apiLoginStatus,
  type CliDatabase,
  countRows,
  exampleSeedFile,
  FOREIGN_HASHES,
  FOREIGN_PASSWORD,
  freshCliDatabase,
  queryRows,
} from '../helpers/cli.js';

const example = exampleSeedFile;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-import-'));
const file = (name: string, lines: string[]) => {
  const full = path.join(dir, name);
  fs.writeFileSync(full, lines.join('\n'));
  return full;
};
const databases: CliDatabase[] = [];
const fresh = async () => {
  const db = await freshCliDatabase();
  databases.push(db);
  return db;
};
const userCount = (db: CliDatabase) => db.inspect((h) => countRows(h, 'SELECT count(*) FROM "user"'));

afterAll(async () => {
  for (const db of databases) await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('export, then import into another database', () => {
  let source: CliDatabase;
  let exported: string;

  beforeAll(async () => {
    source = await fresh();
    expect((await source.run(['seed', example])).code).toBe(0);
    // Text that COPY and CSV must carry unharmed: tabs, newlines, quotes, backslashes, commas, emoji.
    const odd = file('odd.jsonl', [
      JSON.stringify({
        email: 'odd@example.com',
        password: 'odd-password',
        full_name: 'Tab\there, "quoted", back\\slash,\nnew line 🎉',
        created_at: '2021-06-01T08:30:00.123456+02:00',
        items: [{ title: 'Comma, "quote"', description: 'line\r\nbreak\\N' }],
      }),
    ]);
    expect((await source.run(['import', odd])).code).toBe(0);
    const result = await source.run(['export', '--with-hashes', '--items']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Exported 5 users and 4 items.');
    exported = result.stdout;
  });

  it('writes one JSON object per user, with hashes and items only when asked', async () => {
    const lines = exported
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(5);
    const odd = lines.find((u) => u.email === 'odd@example.com');
    expect(odd.full_name).toBe('Tab\there, "quoted", back\\slash,\nnew line 🎉');
    expect(odd.created_at).toBe('2021-06-01T06:30:00.123456+00:00');
    expect(odd.hashed_password).toMatch(/^\$argon2id\$/);
    expect(odd.items).toEqual([expect.objectContaining({ title: 'Comma, "quote"', description: 'line\r\nbreak\\N' })]);

    const plain = await source.run(['export']);
    const first = JSON.parse(plain.stdout.split('\n')[0] as string);
    expect(Object.keys(first).sort()).toEqual([
      'created_at',
      'email',
      'full_name',
      'id',
      'is_active',
      'is_superuser',
      'is_verified',
    ]);
  });

  for (const format of ['jsonl', 'csv'] as const) {
    it(`round-trips through ${format}: the target exports exactly what the source did, and users sign in`, async () => {
      const out = path.join(dir, `export.${format}`);
      const written = await source.run(['export', '--with-hashes', '--items', '-o', out]);
      expect(written.code).toBe(0);
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      if (format === 'csv')
        expect(fs.readFileSync(out, 'utf8').split('\n')[0]).toBe(
          'id,email,full_name,is_active,is_superuser,is_verified,created_at,hashed_password,items',
        );

      const target = await fresh();
      const imported = await target.run(['import', out]);
      expect(imported.stderr).not.toContain('roster:');
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(/^Imported 5 users and 4 items from /);
      expect((await target.run(['export', '--with-hashes', '--items'])).stdout).toBe(exported);
      expect(await target.inspect((h) => apiLoginStatus(h, 'alice@example.com', 'alice-password'))).toBe(200);
      expect(await target.inspect((h) => apiLoginStatus(h, 'odd@example.com', 'odd-password'))).toBe(200);
      expect(await target.inspect((h) => apiLoginStatus(h, 'odd@example.com', 'wrong-password'))).toBe(400);
    });
  }

  it('imports an export without hashes: the users exist but no password signs them in', async () => {
    const out = path.join(dir, 'no-hashes.csv');
    expect((await source.run(['export', '-o', out])).code).toBe(0);
    const target = await fresh();
    const imported = await target.run(['import', out]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('5 users have no password');
    expect(await userCount(target)).toBe(5);
    expect(await target.inspect((h) => apiLoginStatus(h, 'alice@example.com', 'alice-password'))).toBe(400);
  });
});

describe('import', () => {
  let db: CliDatabase;
  const hasher = new PasswordHasher(testConfig().argon2);
  const argon2 = FOREIGN_HASHES.find((h) => h.hash.startsWith('$argon2id$v=19$m=65536'))?.hash as string;
  const bcrypt = FOREIGN_HASHES.find((h) => h.hash.startsWith('$2b$12$'))?.hash as string;

  beforeAll(async () => {
    db = await fresh();
  });

  it('keeps foreign argon2 and bcrypt hashes as they are and hashes plain passwords', async () => {
    const users = file('users.jsonl', [
      JSON.stringify({ email: 'argon@example.com', hashed_password: argon2 }),
      JSON.stringify({ email: 'bcrypt@example.com', hashed_password: bcrypt, is_superuser: true }),
      '',
      JSON.stringify({ email: '  Plain@Example.com ', password: 'plain-password', full_name: 'Plain' }),
    ]);
    const result = await db.run(['import', users]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Imported 3 users from .*users\.jsonl/);
    const rows = await db.inspect((h) =>
      queryRows<{ email: string; hashed_password: string; is_superuser: boolean }>(
        h,
        'SELECT email, hashed_password, is_superuser FROM "user" ORDER BY lower(email)',
      ),
    );
    expect(rows.map((r) => r.email)).toEqual(['argon@example.com', 'bcrypt@example.com', 'Plain@Example.com']);
    expect(rows[0]?.hashed_password).toBe(argon2);
    expect(rows[1]).toMatchObject({ hashed_password: bcrypt, is_superuser: true });
    expect(rows[2]?.hashed_password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await hasher.verify(rows[2]?.hashed_password as string, 'plain-password')).ok).toBe(true);
    expect(await db.inspect((h) => apiLoginStatus(h, 'argon@example.com', FOREIGN_PASSWORD))).toBe(200);
    expect(await db.inspect((h) => apiLoginStatus(h, 'BCRYPT@example.com', FOREIGN_PASSWORD))).toBe(200);
  });

  it('reports existing emails (any case) without failing, and imports the rest', async () => {
    const users = file('again.csv', [
      'email,full_name,password',
      'new@example.com,New,new-password',
      'ARGON@example.com,,x-password',
    ]);
    const result = await db.run(['import', users]);
    expect(result.code).toBe(0);
    // Counts read as English, with no rate for a run this small.
    expect(result.stdout).toMatch(/^Imported 1 user from \S+again\.csv in \d+\.\d s\.$/m);
    expect(result.stdout).toContain('line 3: ARGON@example.com (email already taken)');
    expect(await userCount(db)).toBe(4);
    // One audit record per import (not one per user), with what it did.
    const [audited] = await db.inspect((h) =>
      queryRows(h, `SELECT actor_id, details FROM audit_event WHERE type = 'users.imported' ORDER BY at DESC LIMIT 1`),
    );
    expect(audited).toEqual({
      actor_id: null,
      details: { via: 'cli', command: 'import', source: users, created: 1, items: 0, skipped: 1, invalid: 0 },
    });
  });

  it('a dry run counts the same and writes nothing', async () => {
    const users = file('dry.jsonl', [
      JSON.stringify({ email: 'dry-1@example.com', password: 'dry-password' }),
      JSON.stringify({ email: 'dry-2@example.com', hashed_password: bcrypt }),
      JSON.stringify({ email: 'new@example.com', password: 'dry-password' }),
    ]);
    const audited = () => db.inspect((h) => countRows(h, `SELECT count(*) FROM audit_event WHERE type = 'users.imported'`));
    const before = await audited();
    const result = await db.run(['import', users, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: 2 users from');
    expect(result.stdout).toContain('line 3: new@example.com (email already taken)');
    expect(await userCount(db)).toBe(4);
    expect(await audited()).toBe(before);
  });

  const badFiles: [string, string[], RegExp][] = [
    [
      'bad-email.jsonl',
      [
        JSON.stringify({ email: 'ok-1@example.com' }),
        JSON.stringify({ email: 'ok-2@example.com' }),
        JSON.stringify({ email: 'nope' }),
      ],
      /^roster: line 3: email: "nope" is not a valid email address\. Nothing was imported/,
    ],
    [
      'truncated.jsonl',
      [JSON.stringify({ email: 'ok-1@example.com' }), JSON.stringify({ email: 'ok-2@example.com' }).slice(0, 20)],
      /^roster: line 2: not valid JSON \(is the line cut short\?\)/,
    ],
    [
      'no-email.jsonl',
      [JSON.stringify({ email: 'ok-1@example.com' }), JSON.stringify({ full_name: 'Nobody' })],
      /^roster: line 2: email: missing/,
    ],
    [
      'short-row.csv',
      ['email,full_name,is_active', 'ok-1@example.com,One,true', 'ok-2@example.com'],
      /^roster: line 3: expected 3 columns, got 1/,
    ],
    [
      'open-quote.csv',
      ['email,full_name', 'ok-1@example.com,One', 'ok-2@example.com,"Two'],
      /^roster: line 3: a quoted value is never closed/,
    ],
    [
      'bad-flag.csv',
      ['email,is_superuser', 'ok-1@example.com,maybe'],
      /^roster: line 2: is_superuser: expected true or false, got "maybe"/,
    ],
    [
      'bad-hash.jsonl',
      [JSON.stringify({ email: 'ok-1@example.com', hashed_password: 'md5:abc' })],
      /^roster: line 1: hashed_password: not an argon2 or bcrypt/,
    ],
    ['no-email-column.csv', ['mail,full_name', 'ok-1@example.com,One'], /^roster: line 1: the CSV header has no "email" column/],
  ];
  for (const [name, lines, message] of badFiles) {
    it(`stops at the bad line of ${name}, naming it, and writes nothing`, async () => {
      const result = await db.run(['import', file(name, lines)]);
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n').filter((line) => line.startsWith('roster:'))).toHaveLength(1);
      expect(result.stderr.split('\n').find((line) => line.startsWith('roster:'))).toMatch(message);
      expect(result.stdout).toBe('');
      expect(await userCount(db)).toBe(4);
    });
  }

  it('with --skip-invalid imports every valid line and lists the bad ones', async () => {
    const users = file('mixed.csv', [
      'email,full_name,password',
      'good-1@example.com,Good One,good-password',
      'not-an-email,Bad,good-password',
      'good-2@example.com,Good Two,',
      'good-3@example.com,Good Three,short',
      'good-4@example.com,"Good, Four",good-password',
      'good-5@example.com',
    ]);
    const result = await db.run(['import', users, '--skip-invalid']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('skipped line 3: email: "not-an-email" is not a valid email address');
    expect(result.stderr).toContain('skipped line 5: password: the password must be 8 to 128 characters long');
    expect(result.stderr).toContain('skipped line 7: expected 3 columns, got 1');
    expect(result.stdout).toContain('Imported 3 users');
    expect(result.stdout).toContain('Skipped 3 invalid lines');
    const emails = await db.inspect((h) =>
      queryRows<{ email: string }>(h, `SELECT email FROM "user" WHERE email LIKE 'good-%' ORDER BY email`),
    );
    expect(emails.map((r) => r.email)).toEqual(['good-1@example.com', 'good-2@example.com', 'good-4@example.com']);
  });

  it('refuses bad usage with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['import', file('users.txt', ['x'])], /cannot tell the format of .*users\.txt/],
      [['import'], /give either a FILE to import or --from-template/],
      [['import', 'x.jsonl', '--from-template', 'postgres://localhost/x'], /give either a FILE/],
      [['import', 'x.jsonl', '--format', 'xml'], /argument 'xml' is invalid/],
      [['import', '--from-template', 'mysql://localhost/x'], /takes a PostgreSQL URL/],
      [['export', '--format', 'xml'], /argument 'xml' is invalid/],
    ];
    for (const [args, message] of cases) {
      const result = await db.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    const missing = await db.run(['import', path.join(dir, 'missing.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^roster: cannot read .*missing\.jsonl: ENOENT\n$/);
  });
});
