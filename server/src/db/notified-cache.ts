/**
 * A per-process cache of rows that is only trusted while it hears every change
 * to them, made by any process on the database:
 *
 * - A trigger on the table NOTIFYs its channel with the id of every updated or
 *   deleted row, in the changing transaction, so every process drops the row when
 *   the change commits.
 * - The process that makes a change also drops the row at once (`invalidate`),
 *   so its own next request never races its own notification.
 * - While the LISTEN connection is down the cache is bypassed, and it is
 *   emptied whenever the connection drops or comes back.
 * - A load that started before an invalidation is not stored (the generation
 *   check), so a stale read can never overwrite a newer invalidation.
 */
import type { DbHandle } from './client.js';
import type { Listener } from './notifications.js';

/** A notification payload that means "anything may have changed" (bulk updates, TRUNCATE). */
export const ALL_ROWS = '*';

export interface NotifiedCacheOptions {
  /** Beyond this many rows the oldest entries are dropped. */
  maxEntries?: number;
  /** A safety net only: entries are re-read after this long even without a notification. */
  ttlMs?: number;
}

interface Entry<T> {
  row: T;
  storedAt: number;
}

export class NotifiedCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private generation = 0;
  private listener: Listener | null = null;
  private readonly maxEntries: number;
  private readonly ttlMs: number;

  constructor(
    private readonly channel: string,
    private readonly load: (id: string) => Promise<T | null>,
    options: NotifiedCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 50_000;
    this.ttlMs = options.ttlMs ?? 60_000;
  }

  /** Starts listening for changes; until then (and whenever not listening) every `get` reads the database. */
  async start(database: DbHandle): Promise<void> {
    this.listener = await database.listen(this.channel, {
      onNotify: (payload) => (payload === ALL_ROWS ? this.clear() : this.invalidate(payload)),
      onReset: () => this.clear(),
    });
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = null;
    this.clear();
    await listener?.close();
  }

  /** Whether rows may be served from memory now. */
  get enabled(): boolean {
    return this.listener?.live ?? false;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(id: string): Promise<T | null> {
    if (this.enabled) {
      const entry = this.entries.get(id);
      if (entry && performance.now() - entry.storedAt < this.ttlMs) return entry.row;
    }
    const generation = this.generation;
    const row = await this.load(id);
    // Absent rows are not cached: ids are random, and a miss costs one indexed read.
    if (row && this.enabled && generation === this.generation) this.remember(id, row);
    return row;
  }

  invalidate(id: string): void {
    this.generation++;
    this.entries.delete(id.toLowerCase());
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  private remember(id: string, row: T): void {
    this.entries.delete(id);
    this.entries.set(id, { row, storedAt: performance.now() });
    // Map keeps insertion order: the first key is the least recently stored.
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
