/**
 * Group commit for the rows a sign-in writes (its session, refresh token and audit
 * event). Writes that arrive within a short window (the rest of this event-loop
 * turn, or `windowMs`) go to the database as one statement: one multi-row INSERT per
 * table, joined with `insertTogether`, so one round trip and one commit serve them
 * all. Each caller's promise settles only when the statement holding its rows has
 * returned, i.e. committed: an answer never gets ahead of its rows, and a crash
 * loses nothing that was answered (unlike writing after answering).
 *
 * A row the database refuses (an integrity error: the user was deleted meanwhile)
 * must fail only its own write. The statement is all or nothing, so a refused batch
 * is split in halves and each half retried; the good rows commit, and the write that
 * holds the bad one, once alone, fails with the database's error for its caller to
 * translate. Errors that are not about a row (the connection dropped) fail every
 * write of the batch, as they would have failed each one alone.
 */
import type { SQLWrapper } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { type Executor, sqlState } from './client.js';
import { insertTogether } from './insert-together.js';
import type { PendingRow } from './pending-row.js';

export interface GroupCommitOptions {
  /** How long the first write of a batch waits for others: 0 waits only for the rest of this event-loop turn. */
  windowMs: number;
  /** Most writes in one statement (keeps a statement's parameters far below PostgreSQL's 65,535). */
  maxWrites?: number;
  /**
   * Told the number of writes in each statement, retries included, just before it is sent;
   * the statement waits for a promise it returns (tests hold a statement back this way).
   */
  onStatement?: (writes: number) => void | Promise<void>;
}

interface Waiting {
  rows: readonly PendingRow[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** SQLSTATE class 23: integrity constraint violations, which name a row, not the connection. */
const isRowError = (error: unknown) => sqlState(error)?.startsWith('23') ?? false;

export class GroupCommit {
  private queue: Waiting[] = [];
  private flushScheduled = false;
  private readonly maxWrites: number;

  constructor(
    private readonly executor: Executor,
    private readonly options: GroupCommitOptions,
  ) {
    this.maxWrites = options.maxWrites ?? 128;
  }

  /** Inserts `rows` together (all or none); resolves once they are committed. */
  write(rows: readonly PendingRow[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (this.queue.length >= this.maxWrites) this.flush();
      else this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const flush = () => {
      this.flushScheduled = false;
      this.flush();
    };
    if (this.options.windowMs > 0) setTimeout(flush, this.options.windowMs);
    else setImmediate(flush);
  }

  private flush(): void {
    while (this.queue.length > 0) void this.commit(this.queue.splice(0, this.maxWrites));
  }

  private async commit(batch: Waiting[]): Promise<void> {
    try {
      await this.options.onStatement?.(batch.length);
      await insertTogether(this.executor, this.statementParts(batch));
    } catch (error) {
      if (batch.length === 1 || !isRowError(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await Promise.all([this.commit(batch.slice(0, half)), this.commit(batch.slice(half))]);
      return;
    }
    for (const waiting of batch) waiting.resolve();
  }

  /** One multi-row INSERT per table, in the order the tables first appear (parents before children). */
  private statementParts(batch: Waiting[]): SQLWrapper[] {
    const byTable = new Map<PgTable, unknown[]>();
    for (const { rows } of batch) {
      for (const row of rows) {
        const values = byTable.get(row.table);
        if (values) values.push(row.values);
        else byTable.set(row.table, [row.values]);
      }
    }
    return [...byTable].map(([table, values]) => this.executor.insert(table).values(values as never));
  }
}
