/**
 * One connection in one transaction, with a fast way to load many rows: COPY.
 * On PostgreSQL the rows stream over the connection (pg-copy-streams); on the
 * embedded PGlite they are handed over as a blob. Both read PostgreSQL's COPY
 * text format, so the encoding below serves both.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DbHandle } from '../db/client.js';

export interface BulkSession {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Loads rows (already in COPY text format, see `copyLine`) into `table`. */
  copyIn(table: string, columns: readonly string[], lines: string): Promise<void>;
}

export interface SessionOptions {
  /** Roll back at the end instead of committing (a dry run). */
  rollback?: boolean;
  /** `READ ONLY, REPEATABLE READ`: one consistent snapshot for a long read. */
  snapshot?: boolean;
}

/** Runs `work` in one transaction; commits when it returns, rolls back when it throws. */
export async function withBulkSession<T>(
  handle: DbHandle,
  options: SessionOptions,
  work: (session: BulkSession) => Promise<T>,
): Promise<T> {
  // Drizzle keeps the driver's client on `$client`: a pg Pool or a PGlite instance.
  const client = (handle.db as unknown as { $client: unknown }).$client;
  const begin = options.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN';
  return handle.kind === 'postgres'
    ? onPostgres(client as pg.Pool, begin, options, work)
    : onPglite(client as PGlite, begin, options, work);
}

async function onPostgres<T>(
  pool: pg.Pool,
  begin: string,
  options: SessionOptions,
  work: (session: BulkSession) => Promise<T>,
): Promise<T> {
  const connection = await pool.connect();
  const session: BulkSession = {
    query: async <R>(text: string, params?: unknown[]) => (await connection.query(text, params)).rows as R[],
    copyIn: async (table, columns, lines) => {
      const stream = connection.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from([lines]), stream);
    },
  };
  let failed = true;
  try {
    await connection.query(begin);
    const result = await work(session);
    await connection.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
    failed = false;
    return result;
  } finally {
    if (failed) await connection.query('ROLLBACK').catch(() => {});
    // A connection whose transaction state is unknown is not given back for reuse.
    connection.release(failed);
  }
}

async function onPglite<T>(
  client: PGlite,
  begin: string,
  options: SessionOptions,
  work: (session: BulkSession) => Promise<T>,
): Promise<T> {
  // PGlite is a single connection: its own transaction() serialises access to it.
  return client.transaction(async (tx: Transaction) => {
    if (begin !== 'BEGIN') await tx.exec(begin.replace(/^BEGIN/, 'SET TRANSACTION'));
    const session: BulkSession = {
      query: async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows,
      copyIn: async (table, columns, lines) => {
        await tx.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([lines]) });
      },
    };
    const result = await work(session);
    if (options.rollback) await tx.rollback();
    return result;
  });
}

/** One row in COPY's text format: tab-separated, `\N` for null, backslash escapes. */
export function copyLine(values: readonly (string | boolean | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += '\t';
    const value = values[i];
    if (value === null || value === undefined) line += '\\N';
    else if (typeof value === 'boolean') line += value ? 't' : 'f';
    else line += escapeCopyText(value);
  }
  return `${line}\n`;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const COPY_SPECIAL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeCopyText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(COPY_SPECIAL, (c) => COPY_ESCAPES[c] as string) : text;
}
