/**
 * Import throughput of `roster import` on PostgreSQL: writes N users with argon2
 * and bcrypt hashes (default 1,000,000) to a JSON Lines file, imports it into a
 * fresh database with the real CLI process, and prints users per second.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/cli-import.ts [N]
 *
 * Not a test: it asserts nothing about time; the bar is 1,000,000 in under 60 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/client.js';
import { countRows, rosterBin, runCli, writeUsersFile } from '../test/helpers/cli.js';
import { createPostgresDatabase } from '../test/helpers/database.js';

const count = Number(process.argv[2] ?? 1_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-'));
const file = path.join(dir, 'users.jsonl');
const database = await createPostgresDatabase('roster_bench');
try {
  let started = performance.now();
  await writeUsersFile(file, count);
  const size = fs.statSync(file).size;
  console.log(`wrote ${count} users (${(size / 1e6).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // The first run migrates the empty database; time the import on a migrated one.
  // The installed command (the tests run the build, which their global setup keeps current).
  const cli = { entry: rosterBin };
  await runCli(['users', 'list', '--limit', '1'], { DATABASE_URL: database.url }, cli);
  started = performance.now();
  const result = await runCli(['import', file], { DATABASE_URL: database.url }, cli);
  const seconds = (performance.now() - started) / 1000;
  if (result.code !== 0) throw new Error(`import failed (${result.code}): ${result.stderr}`);
  const handle = await openDatabase({ databaseUrl: database.url, dataDir: null });
  const stored = await countRows(handle, 'SELECT count(*) FROM "user"');
  await handle.close();
  console.log(result.stdout.trim());
  console.log(
    `import of ${count} users: ${seconds.toFixed(1)} s wall (process start included), ${Math.round(count / seconds)} users/s; ${stored} rows stored`,
  );
} finally {
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
