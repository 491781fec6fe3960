/**
 * Runs the real `roster` command as a child process on a test database, and makes import
 * files of any size. The command runs from the build (dist/cli/main.js, what bin/roster.js
 * runs once built), which the suite's global setup brings up to date before any test.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, inject } from 'vitest';
import { type DbHandle, openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import foreignHashes from '../fixtures/foreign-hashes.json' with { type: 'json' };
import { createPostgresDatabase, onPostgres } from './database.js';
import { baseEnv } from './process.js';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The installed command, as `npx roster` runs it. */
export const rosterBin = path.join(serverDir, 'bin/roster.js');
/** Its build: what the tests spawn (see test/setup/build-server.ts). */
export const builtCli = path.join(serverDir, 'dist/cli/main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  input?: string;
  /** Called with each chunk of stderr as it arrives (progress lines). */
  onStderr?(text: string, kill: () => void): void;
  /** The script to run: the build unless a test is about the installed command itself. */
  entry?: string;
}

/** A database the CLI can be pointed at: its settings, and a way to look inside between runs. */
export interface CliDatabase {
  env: Record<string, string>;
  /** Opens the database in this process (PGlite: only while no CLI runs on it), runs `work`, closes it. */
  inspect<T>(work: (handle: DbHandle) => Promise<T>): Promise<T>;
  run(args: string[], options?: CliRunOptions): Promise<CliResult>;
  drop(): Promise<void>;
}

export function runCli(args: string[], env: Record<string, string>, options: CliRunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [options.entry ?? builtCli, ...args], {
    env: { ...baseEnv(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    options.onStderr?.(String(d), () => child.kill('SIGKILL'));
  });
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** A fresh database for CLI runs: a PGlite folder, or a new PostgreSQL database when the suite runs on PostgreSQL. */
export async function freshCliDatabase(): Promise<CliDatabase> {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  if (onPostgres) {
    const created = await createPostgresDatabase('roster_cli');
    env = { DATABASE_URL: created.url };
    drop = created.drop;
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-cli-'));
    fs.cpSync(inject('cliPristineDataDir'), dir, { recursive: true });
    env = { DATA_DIR: dir };
    drop = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    env,
    run: (args, options) => runCli(args, env, options),
    async inspect(work) {
      const handle = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir: env.DATA_DIR ?? null, poolSize: 2 });
      try {
        // A fresh PostgreSQL database has no tables until a command has run; the PGlite folder is migrated already.
        await migrate(handle);
        return await work(handle);
      } finally {
        await handle.close();
      }
    },
    drop,
  };
}

/** Hashes made by other libraries (argon2 reference CLI, bcryptjs, htpasswd…) for the password below. */
export const FOREIGN_PASSWORD = 'template-user-password';
export const FOREIGN_HASHES: { library: string; hash: string }[] = foreignHashes.hashes;

/**
 * Writes `count` users as JSON Lines, each with a foreign hash (argon2 or bcrypt,
 * in turn), streaming so that a million users do not sit in memory.
 */
export async function writeUsersFile(file: string, count: number, emailPrefix = 'user'): Promise<void> {
  const out = fs.createWriteStream(file);
  for (let i = 1; i <= count; i++) {
    const line = JSON.stringify({
      email: `${emailPrefix}-${i}@example.com`,
      full_name: `User ${i}`,
      hashed_password: FOREIGN_HASHES[i % FOREIGN_HASHES.length]?.hash,
      is_verified: i % 2 === 0,
    });
    if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** The rows of a raw query (tests only: the text is trusted). */
export async function queryRows<T = Record<string, unknown>>(handle: DbHandle, sqlText: string): Promise<T[]> {
  const result = (await handle.db.execute(sql.raw(sqlText))) as unknown as { rows: T[] };
  return result.rows;
}

/** Reads a number from a query's first row. */
export async function countRows(handle: DbHandle, sqlText: string): Promise<number> {
  const [row] = await queryRows(handle, sqlText);
  return Number(Object.values(row ?? {})[0] ?? 0);
}

/** Signs in through the API (the real app, in this process) on `handle`; returns the status code. */
export async function apiLoginStatus(handle: DbHandle, email: string, password: string): Promise<number> {
  const { buildApp } = await import('../../src/app.js');
  const { testConfig } = await import('./app.js');
  const { app } = await buildApp({ config: testConfig(), database: handle });
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: email, password }).toString(),
    });
    return response.statusCode;
  } finally {
    await app.close();
  }
}

/** The example seed file the README points newcomers to. */
export const exampleSeedFile = path.resolve(serverDir, '../examples/seed.yaml');

/** One fresh CLI database for a test file (beforeAll/afterAll); `get()` inside tests. */
export function useCliDatabase(): { get(): CliDatabase } {
  let db: CliDatabase | null = null;
  beforeAll(async () => {
    db = await freshCliDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    get() {
      if (!db) throw new Error('CLI database not created');
      return db;
    },
  };
}
