/**
 * The counter stores keep one contract: the database's (PGlite here, PostgreSQL in the
 * api-postgres project) and Redis's (when TEST_REDIS_URL is set; CI sets it).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CounterStore, PostgresCounterStore } from '../../src/security/counter-store.js';
import { RedisCounterStore } from '../../src/security/redis-store.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

const redisUrl = process.env.TEST_REDIS_URL;
let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => database.drop());

const kinds: [string, () => CounterStore, boolean][] = [
  ['database', () => new PostgresCounterStore(database.handle.db), false],
  [
    'redis',
    () => new RedisCounterStore(redisUrl ?? 'redis://127.0.0.1:1', `roster-test:${randomBytes(6).toString('hex')}:`),
    !redisUrl,
  ],
];

describe.each(kinds)('%s counters', (_name, make, skip) => {
  let store: CounterStore;
  const t0 = Date.now();
  beforeAll(() => {
    if (!skip) store = make();
  });
  afterAll(async () => store?.close());

  it.skipIf(skip)('count up within a fixed window, then start again', async () => {
    expect(await store.increment('fixed', 10_000, t0, 'fixed')).toEqual({ count: 1, expiresAtMs: t0 + 10_000 });
    expect(await store.increment('fixed', 10_000, t0 + 4000, 'fixed')).toEqual({ count: 2, expiresAtMs: t0 + 10_000 });
    expect(await store.increment('fixed', 10_000, t0 + 10_000, 'fixed')).toEqual({ count: 1, expiresAtMs: t0 + 20_000 });
  });

  it.skipIf(skip)('a sliding counter expires a ttl after its last hit', async () => {
    await store.increment('sliding', 10_000, t0, 'sliding');
    expect(await store.increment('sliding', 10_000, t0 + 8000, 'sliding')).toEqual({ count: 2, expiresAtMs: t0 + 18_000 });
    expect(await store.increment('sliding', 10_000, t0 + 17_000, 'sliding')).toEqual({ count: 3, expiresAtMs: t0 + 27_000 });
  });

  it.skipIf(skip)('concurrent increments each get their own count', async () => {
    const counts = await Promise.all(Array.from({ length: 40 }, () => store.increment('race', 60_000, t0, 'fixed')));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it.skipIf(skip)('read leaves out expired and absent keys; write and remove', async () => {
    await store.write('lock', 7, 5000, t0);
    await store.increment('short', 1000, t0, 'fixed');
    const at2s = await store.read(['lock', 'short', 'absent'], t0 + 2000);
    expect([...at2s.entries()]).toEqual([['lock', { count: 7, expiresAtMs: t0 + 5000 }]]);
    await store.remove(['lock']);
    expect((await store.read(['lock'], t0)).size).toBe(0);
  });

  it.skipIf(skip || _name !== 'database')('the sweep deletes expired rows and only those', async () => {
    await store.write('old', 1, 1000, t0 - 5000);
    await store.write('live', 1, 60_000, t0);
    await store.sweep(t0);
    const result = await database.handle.db.execute(sql`SELECT key FROM rate_limit_counter WHERE key IN ('old', 'live')`);
    expect((result as unknown as { rows: { key: string }[] }).rows.map((r) => r.key)).toEqual(['live']);
  });
});
