/**
 * An import killed mid-way (SIGKILL: no chance to clean up) leaves no user of it
 * behind, half-written or whole, and running it again completes. On PostgreSQL,
 * where a large import is what the command is for.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliDatabase, countRows, freshCliDatabase, writeUsersFile } from '../helpers/cli.js';
import { onPostgres } from '../helpers/database.js';

const USERS = 60_000;

describe.skipIf(!onPostgres)('an interrupted import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-interrupt-'));
  const file = path.join(dir, 'users.jsonl');
  let db: CliDatabase;

  beforeAll(async () => {
    db = await freshCliDatabase();
    await writeUsersFile(file, USERS);
    // One user that is there before: the import must not lose or change it either.
    expect(
      (await db.run(['users', 'create', '--email', 'before@example.com', '--password-stdin'], { input: 'before-password' })).code,
    ).toBe(0);
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves nothing behind when killed after its first batches were written, and a rerun completes', async () => {
    let progressLines = 0;
    const killed = await db.run(['import', file], {
      // The first progress line is printed once a batch has reached the database.
      onStderr: (text, kill) => {
        progressLines += (text.match(/users imported/g) ?? []).length;
        if (progressLines > 0) kill();
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(progressLines).toBeGreaterThan(0);
    const counts = await db.inspect(async (h) => ({
      users: await countRows(h, 'SELECT count(*) FROM "user"'),
      // A partly written user would lack a hash or a name the file gave every one.
      partial: await countRows(
        h,
        `SELECT count(*) FROM "user" WHERE email <> 'before@example.com' AND (full_name IS NULL OR hashed_password = '')`,
      ),
    }));
    expect(counts).toEqual({ users: 1, partial: 0 });

    const rerun = await db.run(['import', file]);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(new RegExp(`^Imported ${USERS} users`));
    expect(await db.inspect((h) => countRows(h, 'SELECT count(*) FROM "user"'))).toBe(USERS + 1);
  });
});
