/**
 * Expiring counters shared by every Roster process: rate limits and login
 * failures count here, and locks are kept here. PostgreSQL (or PGlite) by default,
 * Redis when REDIS_URL is set (redis-store.ts). Both take the time from the caller
 * (the app's clock) rather than their own, so tests can move it, and treat an entry
 * whose expiry has passed as absent whether or not it has been swept yet.
 */
import { and, gt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { rateLimitCounters } from '../db/schema.js';

export interface Counter {
  count: number;
  expiresAtMs: number;
}

/** `fixed`: the expiry is set when the counter starts; `sliding`: every hit pushes it to now + ttl. */
export type Expiry = 'fixed' | 'sliding';

export interface CounterStore {
  /** Adds one, atomically across processes; a counter that expired starts again at 1. */
  increment(key: string, ttlMs: number, nowMs: number, expiry: Expiry): Promise<Counter>;
  /** The live counters among `keys` (expired and absent ones are left out). */
  read(keys: string[], nowMs: number): Promise<Map<string, Counter>>;
  /** Sets a counter to `count`, expiring at now + ttl. */
  write(key: string, count: number, ttlMs: number, nowMs: number): Promise<void>;
  remove(keys: string[]): Promise<void>;
  /** Deletes expired entries (Redis expires its own). */
  sweep(nowMs: number): Promise<void>;
  close(): Promise<void>;
}

type Rows<T> = { rows: T[] };
const at = (ms: number) => sql`to_timestamp(${ms / 1000}::float8)`;

export class PostgresCounterStore implements CounterStore {
  private readonly readLive;

  constructor(private readonly db: Database) {
    this.readLive = db
      .select()
      .from(rateLimitCounters)
      .where(
        and(
          sql`${rateLimitCounters.key} = ANY(${sql.placeholder('keys')}::text[])`,
          gt(rateLimitCounters.expiresAt, sql.placeholder('now')),
        ),
      )
      .prepare('roster_counter_read');
  }

  async increment(key: string, ttlMs: number, nowMs: number, expiry: Expiry): Promise<Counter> {
    // One statement: ON CONFLICT DO UPDATE locks the row, so concurrent hits from
    // several processes each see a distinct count.
    const result = await this.db.execute(sql`
      INSERT INTO rate_limit_counter AS c (key, count, expires_at)
      VALUES (${key}, 1, ${at(nowMs + ttlMs)})
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN c.expires_at <= ${at(nowMs)} THEN 1 ELSE c.count + 1 END,
        expires_at = CASE WHEN c.expires_at <= ${at(nowMs)} OR ${expiry === 'sliding'}::boolean
          THEN excluded.expires_at ELSE c.expires_at END
      RETURNING count, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at_ms`);
    const [row] = (result as unknown as Rows<{ count: number; expires_at_ms: number }>).rows;
    if (!row) throw new Error('counter upsert returned no row');
    return { count: Number(row.count), expiresAtMs: Math.round(Number(row.expires_at_ms)) };
  }

  async read(keys: string[], nowMs: number): Promise<Map<string, Counter>> {
    const found = new Map<string, Counter>();
    if (keys.length === 0) return found;
    // Every login reads its counters: a prepared statement is parsed and planned once per connection.
    const rows = await this.readLive.execute({ keys, now: new Date(nowMs) });
    for (const row of rows) found.set(row.key, { count: row.count, expiresAtMs: row.expiresAt.getTime() });
    return found;
  }

  async write(key: string, count: number, ttlMs: number, nowMs: number): Promise<void> {
    await this.db.execute(sql`
      INSERT INTO rate_limit_counter (key, count, expires_at) VALUES (${key}, ${count}, ${at(nowMs + ttlMs)})
      ON CONFLICT (key) DO UPDATE SET count = excluded.count, expires_at = excluded.expires_at`);
  }

  async remove(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const list = sql.join(
      keys.map((key) => sql`${key}`),
      sql`, `,
    );
    await this.db.execute(sql`DELETE FROM rate_limit_counter WHERE key IN (${list})`);
  }

  async sweep(nowMs: number): Promise<void> {
    await this.db.execute(sql`DELETE FROM rate_limit_counter WHERE expires_at <= ${at(nowMs)}`);
  }

  async close(): Promise<void> {
    // The database handle belongs to the caller.
  }
}
