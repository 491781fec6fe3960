/** The CLI finds accounts by an address's normal form, and lists the accounts that share one. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliDatabase, queryRows, useCliDatabase } from '../helpers/cli.js';

const cli = useCliDatabase();
let db: CliDatabase;
beforeAll(() => {
  db = cli.get();
});

async function create(email: string) {
  return db.run(['users', 'create', '--email', email, '--password-stdin'], { input: 'a-long-password-1\n' });
}

async function shownId(ref: string): Promise<string> {
  const result = await db.run(['users', 'show', ref, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).id;
}

describe('roster users and the email normal form', () => {
  it('resolves any spelling of an address to its account, and another IDNA domain to its own', async () => {
    expect((await create('william@example.com')).code).toBe(0);
    expect((await create('kim@gmail.com')).code).toBe(0);
    // Another domain under IDNA (xn--gmail-bgd.com), not a spelling of gmail.com.
    const squatter = await create('kim@gmaİl.com');
    expect(squatter.code, squatter.stderr).toBe(0);

    const ids = await db.inspect((handle) =>
      queryRows<{ id: string; email: string }>(handle, 'SELECT id, email FROM "user" ORDER BY created_at'),
    );
    const idOf = (email: string) => ids.find((row) => row.email === email)?.id;
    expect(await shownId('wİlliam@example.com')).toBe(idOf('william@example.com'));
    expect(await shownId('ＷＩＬＬＩＡＭ@EXAMPLE.com')).toBe(idOf('william@example.com'));
    expect(await shownId('KIM@GMAIL.COM')).toBe(idOf('kim@gmail.com'));
    expect(await shownId('kim@gmaİl.com')).toBe(idOf('kim@gmaİl.com'));

    const lookAlike = await create('wİlliam@example.com');
    expect(lookAlike.code).not.toBe(0);
    expect(lookAlike.stderr).toMatch(/already exists/);
  });

  it('import skips a look-alike of an existing address, and of an earlier line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-emailnorm-'));
    const file = path.join(dir, 'users.jsonl');
    const lines = [
      { email: 'ＷＩＬＬＩＡＭ@example.com', password: 'a-long-password-2' },
      { email: 'newcomer@example.com', password: 'a-long-password-3' },
      { email: 'NEWCOMER@ｅxample.com', password: 'a-long-password-4' },
    ];
    fs.writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n'));
    try {
      const result = await db.run(['import', file]);
      expect(result.code, result.stderr).toBe(0);
      const rows = await db.inspect((handle) =>
        queryRows<{ email: string; email_normalized: string }>(
          handle,
          `SELECT email, email_normalized FROM "user" WHERE email_normalized IN ('william@example.com', 'newcomer@example.com') ORDER BY email`,
        ),
      );
      expect(rows).toEqual([
        { email: 'newcomer@example.com', email_normalized: 'newcomer@example.com' },
        { email: 'william@example.com', email_normalized: 'william@example.com' },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('users duplicates lists the accounts that share an address (exit 0)', async () => {
    const none = await db.run(['users', 'duplicates']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('No accounts share an email address.\n');

    // What migration 0008 leaves when two existing accounts collide under the normal form.
    await db.inspect((handle) =>
      handle.exec(`INSERT INTO "user" (email, email_normalized, email_duplicate_rank, hashed_password)
        VALUES ('ｋim@gmail.com', 'kim@gmail.com', 1, 'x')`),
    );
    const listed = await db.run(['users', 'duplicates']);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toBe('kim@gmail.com (2 accounts):');
    expect(lines[1]).toMatch(/^ {2}kim@gmail\.com {2}id [0-9a-f-]{36} {2}created \S+ {2}\(signs in with this address\)$/);
    expect(lines[2]).toMatch(/^ {2}ｋim@gmail\.com {2}id [0-9a-f-]{36} {2}created \S+$/);
    expect(lines).toHaveLength(3);
    expect(listed.stderr).toMatch(/roster users delete <id>/);

    const json = await db.run(['users', 'duplicates', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        normalized_email: 'kim@gmail.com',
        users: [
          expect.objectContaining({ email: 'kim@gmail.com', holds_address: true }),
          expect.objectContaining({ email: 'ｋim@gmail.com', holds_address: false }),
        ],
      },
    ]);
  });
});
