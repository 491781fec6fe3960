/**
 * One row to insert, not yet written: its table and values. It is an ordinary
 * INSERT (a SQLWrapper, so `insertTogether` and `toSQL()` take it as before), and it
 * also keeps its table and values apart, so that the login writes' group commit
 * (group-commit.ts) can merge the rows of many logins into one multi-row INSERT per table.
 */
import type { SQL, SQLWrapper } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './client.js';

export class PendingRow<TTable extends PgTable = PgTable> implements SQLWrapper {
  constructor(
    private readonly executor: Executor,
    readonly table: TTable,
    readonly values: TTable['$inferInsert'],
  ) {}

  private insert() {
    return this.executor.insert(this.table).values(this.values);
  }

  getSQL(): SQL {
    return this.insert().getSQL();
  }

  toSQL(): { sql: string; params: unknown[] } {
    return this.insert().toSQL();
  }
}

export function pendingRow<TTable extends PgTable>(
  executor: Executor,
  table: TTable,
  values: TTable['$inferInsert'],
): PendingRow<TTable> {
  return new PendingRow(executor, table, values);
}
