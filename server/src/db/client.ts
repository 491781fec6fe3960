/**
 * One database handle for the whole process: the embedded PGlite (persisted under
 * DATA_DIR) when DATABASE_URL is unset, a node-postgres pool otherwise. Both speak
 * the same PostgreSQL, so the queries above this file do not know which it is.
 */
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { lockDataFolder } from './data-folder-lock.js';
import { seedFromTemplate, TEMPLATE_DIR, templateTar } from './embedded-template.js';
import { type Listener, type ListenHandlers, listenPglite, listenPostgres } from './notifications.js';
import * as schema from './schema.js';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction, or the database itself: what a query that may join a caller's transaction runs on. */
export type Executor = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

/** Runs raw SQL (several statements allowed, no parameters): migrations and tests. */
export type ExecSql = (sqlText: string) => Promise<void>;

export interface DbHandle {
  kind: 'pglite' | 'postgres';
  db: Database;
  exec: ExecSql;
  /** Runs `work` while holding a cluster-wide lock, so two processes do not migrate at once. */
  withAdvisoryLock<T>(key: number, work: () => Promise<T>): Promise<T>;
  /** LISTENs on `channel` (see notifications.ts); close the listener before the handle. */
  listen(channel: string, handlers: ListenHandlers): Promise<Listener>;
  /** PGlite only: the whole database as an uncompressed tar (the build's template for in-memory databases). */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | null;
  /** Folder for PGlite's files; `null` keeps the database in memory (tests). */
  dataDir: string | null;
  poolSize?: number;
  /**
   * What this process is, for the embedded database's folder lock: shown to a second
   * process that tries to open the folder (the server's URL, or the CLI).
   */
  holder?: string;
  /**
   * The migrated empty database a new data folder starts from (embedded-template.ts);
   * `null` creates it with initdb. Default: the one the build made, when it exists.
   */
  template?: string | null;
}

export async function openDatabase(options: OpenOptions): Promise<DbHandle> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, options.poolSize ?? 10)
    : openPglite(
        options.dataDir,
        options.holder ?? 'a Roster process',
        options.template === undefined ? TEMPLATE_DIR : options.template,
      );
}

async function openPglite(dataDir: string | null, holder: string, template: string | null): Promise<DbHandle> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // Before opening: a second process on the same folder would lose writes (see data-folder-lock.ts).
  const lock = dataDir ? lockDataFolder(dataDir, holder) : null;
  let client: PGlite;
  try {
    if (dataDir && template) seedFromTemplate(dataDir, template);
    // In memory (tests), the template's tar is loaded instead of running initdb.
    const loadDataDir = !dataDir && template ? templateTar(template) : null;
    // pg_trgm backs the substring search's indexes (migration 0002); it ships with PGlite.
    client = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(loadDataDir ? { loadDataDir } : {}),
      extensions: { pg_trgm },
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  return {
    kind: 'pglite',
    db: drizzlePglite({ client, schema }) as unknown as Database,
    exec: async (text) => {
      await client.exec(text);
    },
    // PGlite is one connection owned by this process: nothing else can race it.
    withAdvisoryLock: (_key, work) => work(),
    listen: (channel, handlers) => listenPglite(client, channel, handlers),
    dumpDataDir: () => client.dumpDataDir('none'),
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openPostgres(url: string, poolSize: number): Promise<DbHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Fail at start-up, with the driver's message, when the server is unreachable.
  const probe = await pool.connect();
  probe.release();
  return {
    kind: 'postgres',
    db: drizzlePg({ client: pool, schema }) as unknown as Database,
    exec: async (text) => {
      await pool.query(text);
    },
    withAdvisoryLock: async (key, work) => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [key]);
        try {
          return await work();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    listen: (channel, handlers) => listenPostgres(url, channel, handlers),
    close: () => pool.end(),
  };
}

/** PostgreSQL's SQLSTATE of a failed query, looking through Drizzle's wrapper. */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
