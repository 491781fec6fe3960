/**
 * A fresh, migrated database for one test file: PGlite in memory by default, or a
 * new database on the PostgreSQL server of TEST_DATABASE_URL (dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DbHandle, openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

export interface TestDatabase {
  handle: DbHandle;
  /** The connection URL, for starting other processes on the same database (PostgreSQL only). */
  url: string | null;
  drop(): Promise<void>;
}

export const onPostgres = process.env.ROSTER_TEST_DB === 'postgres';

export function postgresAdminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

/** Creates an empty database on the TEST_DATABASE_URL server; returns its URL and a way to drop it. */
export async function createPostgresDatabase(prefix = 'roster_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = postgresAdminUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function freshDatabase(): Promise<TestDatabase> {
  if (!onPostgres) {
    const handle = await openDatabase({ databaseUrl: null, dataDir: null });
    await migrate(handle);
    return { handle, url: null, drop: () => handle.close() };
  }
  const created = await createPostgresDatabase();
  const handle = await openDatabase({ databaseUrl: created.url, dataDir: null, poolSize: 5 });
  await migrate(handle);
  return {
    handle,
    url: created.url,
    drop: async () => {
      await handle.close();
      await created.drop();
    },
  };
}
