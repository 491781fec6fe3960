/**
 * Group commit for the rows a sign-in writes (its session, refresh token and audit
 * event): the sign-ins of one batch (batcher.ts) are written by one statement, one
 * multi-row INSERT per table, joined with `insertTogether`. A sign-in whose rows the
 * database refuses (its user was deleted meanwhile) fails alone; see batcher.ts.
 */
import type { SQLWrapper } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { Batcher, type GroupCommitOptions } from './batcher.js';
import type { Executor } from './client.js';
import { insertTogether } from './insert-together.js';
import type { PendingRow } from './pending-row.js';

export type { GroupCommitOptions } from './batcher.js';

export class GroupCommit {
  private readonly batcher: Batcher<readonly PendingRow[], void>;

  constructor(executor: Executor, options: GroupCommitOptions) {
    this.batcher = new Batcher<readonly PendingRow[], void>(async (writes) => {
      await insertTogether(executor, statementParts(executor, writes));
      return writes.map(() => undefined);
    }, options);
  }

  /** Inserts `rows` together (all or none); resolves once they are committed. */
  write(rows: readonly PendingRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.batcher.submit(rows);
  }
}

/** One multi-row INSERT per table, in the order the tables first appear (parents before children). */
function statementParts(executor: Executor, writes: readonly (readonly PendingRow[])[]): SQLWrapper[] {
  const byTable = new Map<PgTable, unknown[]>();
  for (const rows of writes) {
    for (const row of rows) {
      const values = byTable.get(row.table);
      if (values) values.push(row.values);
      else byTable.set(row.table, [row.values]);
    }
  }
  return [...byTable].map(([table, values]) => executor.insert(table).values(values as never));
}
