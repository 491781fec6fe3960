/**
 * Group commit, of any statement that can serve many callers at once. Inputs that
 * arrive within a short window (the rest of this event-loop turn, or `windowMs`) go
 * to the database as one statement, which answers one output per input: one round
 * trip and one commit serve them all. Each caller's promise settles only when the
 * statement holding its input has returned, i.e. committed: an answer never gets
 * ahead of its rows, and a crash loses nothing that was answered (unlike writing
 * after answering). Sign-ins' inserts (group-commit.ts) and refreshes
 * (sessions/refresh-statement.ts) are the two kinds.
 *
 * An input the database refuses (an integrity error: the user was deleted meanwhile)
 * must fail only its own caller. The statement is all or nothing, so a refused batch
 * is split in halves and each half retried; the good inputs commit, and the one that
 * is bad, once alone, fails with the database's error for its caller to translate. A
 * deadlock (several rows locked by one statement can meet another transaction's locks
 * in the other order; PostgreSQL then aborts one) is retried in halves the same way.
 * Errors that are not about a row (the connection dropped) fail every caller of the
 * batch, as they would have failed each one alone.
 */
import { sqlState } from './client.js';

export interface GroupCommitOptions {
  /** How long the first input of a batch waits for others: 0 waits only for the rest of this event-loop turn. */
  windowMs: number;
  /** Most inputs in one statement (keeps a statement's parameters far below PostgreSQL's 65,535). */
  maxWrites?: number;
  /**
   * Told the number of inputs in each statement, retries included, just before it is sent;
   * the statement waits for a promise it returns (tests hold a statement back this way).
   */
  onStatement?: (inputs: number) => void | Promise<void>;
}

/** One statement for a whole batch: one output per input, in the inputs' order. */
export type BatchStatement<In, Out> = (inputs: In[]) => Promise<Out[]>;

interface Waiting<In, Out> {
  input: In;
  resolve: (output: Out) => void;
  reject: (error: unknown) => void;
}

const DEADLOCK_DETECTED = '40P01';

/** SQLSTATE class 23 (integrity constraint violations) names a row; a deadlock is gone on a retry. */
const isRetriedInHalves = (error: unknown) => {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('23') || state === DEADLOCK_DETECTED);
};

export class Batcher<In, Out> {
  private queue: Waiting<In, Out>[] = [];
  private flushScheduled = false;
  private readonly maxWrites: number;

  constructor(
    private readonly statement: BatchStatement<In, Out>,
    private readonly options: GroupCommitOptions,
  ) {
    this.maxWrites = options.maxWrites ?? 128;
  }

  /** Runs `input` with the others of its batch; resolves with its output once the statement has committed. */
  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
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

  private async commit(batch: Waiting<In, Out>[]): Promise<void> {
    let outputs: Out[];
    try {
      await this.options.onStatement?.(batch.length);
      outputs = await this.statement(batch.map((waiting) => waiting.input));
    } catch (error) {
      if (batch.length === 1 || !isRetriedInHalves(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      const half = Math.ceil(batch.length / 2);
      await Promise.all([this.commit(batch.slice(0, half)), this.commit(batch.slice(half))]);
      return;
    }
    batch.forEach((waiting, i) => {
      waiting.resolve(outputs[i] as Out);
    });
  }
}
