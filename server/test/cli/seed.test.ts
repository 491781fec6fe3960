/** `roster seed FILE` against a fresh database, through the real command. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type CliDatabase, countRows, exampleSeedFile, queryRows, useCliDatabase } from '../helpers/cli.js';

const example = exampleSeedFile;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-seed-'));
const cli = useCliDatabase();
let db: CliDatabase;

beforeAll(() => {
  db = cli.get();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const snapshot = () =>
  db.inspect(async (handle) => ({
    users: await countRows(handle, 'SELECT count(*) FROM "user"'),
    items: await countRows(handle, 'SELECT count(*) FROM item'),
    hashes: await countRows(handle, `SELECT count(DISTINCT hashed_password) FROM "user"`),
  }));

function writeSeed(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, name.endsWith('.json') ? JSON.stringify(content) : YAML.stringify(content));
  return file;
}

describe('roster seed', () => {
  it('seeds the example file, users with their items and flags', async () => {
    const result = await db.run(['seed', example]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('4 created');
    expect(await snapshot()).toEqual({ users: 4, items: 3, hashes: 4 });
    const alice = JSON.parse((await db.run(['users', 'show', 'alice@example.com', '--json'])).stdout);
    expect(alice).toMatchObject({ full_name: 'Alice Example', is_verified: true, is_superuser: false, items: 2 });
    const mallory = JSON.parse((await db.run(['users', 'show', 'mallory@example.com', '--json'])).stdout);
    expect(mallory.is_active).toBe(false);
    // One audit record for the run, with no actor (the CLI) and what it did.
    const audited = await db.inspect((h) =>
      queryRows(h, `SELECT actor_id, target_id, details FROM audit_event WHERE type = 'users.imported'`),
    );
    expect(audited).toEqual([
      {
        actor_id: null,
        target_id: null,
        details: { via: 'cli', command: 'seed', source: example, created: 4, updated: 0, unchanged: 0, items: 3 },
      },
    ]);
  });

  it('is idempotent: a second run changes nothing, not even the hashes', async () => {
    const hashes = () => db.inspect((h) => queryRows(h, 'SELECT email, hashed_password FROM "user" ORDER BY email'));
    const before = await hashes();
    const result = await db.run(['seed', example]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 created');
    expect(result.stdout).toContain('4 already there');
    expect(await snapshot()).toEqual({ users: 4, items: 3, hashes: 4 });
    expect(await hashes()).toEqual(before);
    expect((await db.run(['seed', example, '--update'])).stdout).toContain('0 updated');
    expect(await hashes()).toEqual(before);
  });

  it('leaves existing users alone without --update, and brings them in line with it', async () => {
    const changed = writeSeed('changed.json', {
      users: [
        {
          email: 'ALICE@example.com',
          password: 'alice-password',
          full_name: 'Alice Renamed',
          items: [{ title: 'Groceries', description: 'Only coffee' }, { title: 'New item' }],
        },
      ],
    });
    const untouched = await db.run(['seed', changed]);
    expect(untouched.stdout).toContain('1 already there');
    let alice = JSON.parse((await db.run(['users', 'show', 'alice@example.com', '--json'])).stdout);
    expect(alice.full_name).toBe('Alice Example');

    const updated = await db.run(['seed', changed, '--update']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('1 updated');
    alice = JSON.parse((await db.run(['users', 'show', 'alice@example.com', '--json'])).stdout);
    expect(alice).toMatchObject({ full_name: 'Alice Renamed', is_verified: false, items: 3 });
    const groceries = await db.inspect((h) =>
      countRows(h, `SELECT count(*) FROM item WHERE title = 'Groceries' AND description = 'Only coffee'`),
    );
    expect(groceries).toBe(1);

    const again = await db.run(['seed', changed, '--update']);
    expect(again.stdout).toContain('0 updated');
    expect(again.stdout).toContain('1 already there and up to date');
  });

  it('refuses a file with any bad user, listing every problem and writing nothing', async () => {
    const before = await snapshot();
    const bad = writeSeed('bad.yaml', {
      users: [
        { email: 'new-one@example.com', password: 'good-password' },
        { email: 'not-an-email', password: 'good-password' },
        { email: 'no-password@example.com' },
        { email: 'NEW-ONE@example.com', password: 'good-password' },
      ],
    });
    const result = await db.run(['seed', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('users[1]: email: "not-an-email" is not a valid email address');
    expect(result.stderr).toContain('users[2]: password: required');
    expect(result.stderr).toContain('users[3]: the same email as users[0]');
    expect(result.stderr.trim().split('\n').at(-1)).toBe(`roster: ${bad} has 3 problems; nothing was seeded`);
    expect(await snapshot()).toEqual(before);
  });

  it('reports unreadable files and bad usage', async () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'users: [ {email: a@example.com\n');
    const cases: [string[], number, RegExp][] = [
      [['seed', path.join(dir, 'missing.yaml')], 1, /cannot read .*missing\.yaml: ENOENT/],
      [['seed', broken], 1, /cannot parse .*broken\.yaml/],
      [['seed', path.join(dir, 'seed.txt')], 2, /ends in \.json, \.yaml or \.yml/],
      [['seed'], 2, /missing required argument 'file'/],
    ];
    for (const [args, code, message] of cases) {
      const result = await db.run(args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });
});
