/**
 * Several INSERTs as one statement (`WITH a AS (INSERT …), b AS (INSERT …) SELECT 1`):
 * atomic without a transaction, and one round trip instead of BEGIN, one per row
 * and COMMIT. A login writes its session, refresh token and audit event this way
 * (bench row 2: every round trip to the database costs the event loop a syscall
 * and the database a wake-up).
 *
 * The INSERTs must not read each other's rows (they all see the snapshot from
 * before the statement), but may reference them: foreign keys are checked at the
 * end of the statement, when every row is in.
 */
import { type SQLWrapper, sql } from 'drizzle-orm';
import type { Executor } from './client.js';

export async function insertTogether(executor: Executor, inserts: readonly SQLWrapper[]): Promise<void> {
  if (inserts.length === 0) return;
  // getSQL(): embedded as a builder, drizzle would wrap each INSERT in a second pair of parentheses.
  const parts = inserts.map((insert, i) => sql`${sql.raw(`insert_${i}`)} AS (${insert.getSQL()})`);
  await executor.execute(sql`WITH ${sql.join(parts, sql`, `)} SELECT 1`);
}
