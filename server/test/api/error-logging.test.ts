/**
 * Database errors reach the log without their parameters (issue 11, part 10):
 * a failed query's values can be password hashes.
 */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2VjcmV0LXNhbHQ$c2VjcmV0LWhhc2gtdGhhdC1tdXN0LW5vdC1sZWFr';

let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.drop();
});

/** A logger as main.ts makes it, writing its lines into an array. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', 'json', destination), lines };
}

describe('database errors in the log', () => {
  it('keep the SQL, the message and the code, but neither the parameters nor the failing row', async () => {
    const { db } = database.handle;
    await db.execute(sql`CREATE TABLE log_probe (email text NOT NULL, hashed_password text)`);
    const failure = await db
      .execute(sql`INSERT INTO log_probe (email, hashed_password) VALUES (${null}, ${HASH})`)
      .then(() => null)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    // The raw error does carry the hash (in its message, its params and the driver's detail).
    expect(JSON.stringify({ message: (failure as Error).message, ...(failure as object) })).toContain(HASH);

    const { logger, lines } = capturedLogger();
    logger.error({ err: failure, route: '/probe' }, 'unhandled error');
    logger.error(failure as Error);
    logger.error({ err: failure });
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain(HASH);
      expect(line).not.toContain('c2VjcmV0');
      const { err } = JSON.parse(line);
      expect(err.message).toContain('INSERT INTO log_probe');
      expect(err.cause.code).toBe('23502');
      expect(err.cause.message).toContain('null value in column "email"');
    }
  });

  it('an error that wraps a failed query is cleaned at every level', async () => {
    const { db } = database.handle;
    const failure = await db.execute(sql`SELECT ${HASH}::int`).catch((error: unknown) => error);
    const wrapped = new Error('could not save', { cause: failure });
    const { logger, lines } = capturedLogger();
    logger.error({ err: wrapped }, 'housekeeping failed');
    expect(lines[0]).toContain('could not save');
    expect(lines[0]).toContain('Failed query: SELECT $1::int');
    // PostgreSQL quotes a value it cannot cast in its own message; the code and routine remain.
    expect(lines[0]).not.toContain('c2VjcmV0');
  });
});
