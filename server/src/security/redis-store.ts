/**
 * The counters in Redis (REDIS_URL), for deployments that already run it or want
 * the login path off the database. Each counter is a hash {c: count, e: expiry in
 * ms by the app's clock}; a Lua script makes increment atomic, and PEXPIRE lets
 * Redis drop the key once it can no longer matter.
 */
import { Redis } from 'ioredis';
import type { Counter, CounterStore, Expiry } from './counter-store.js';

const INCREMENT = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local current = redis.call('HMGET', KEYS[1], 'c', 'e')
local count, expires = tonumber(current[1]), tonumber(current[2])
if not count or not expires or expires <= now then
  count = 1
  expires = now + ttl
else
  count = count + 1
  if ARGV[3] == 'sliding' then expires = now + ttl end
end
redis.call('HSET', KEYS[1], 'c', count, 'e', tostring(expires))
redis.call('PEXPIRE', KEYS[1], math.max(1, expires - now))
return {count, tostring(expires)}
`;

type WithIncrement = Redis & {
  rosterIncrement(key: string, now: number, ttl: number, expiry: Expiry): Promise<[number, string]>;
};

export class RedisCounterStore implements CounterStore {
  private readonly redis: WithIncrement;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, {
      // Connect on first use (building the app does no I/O), and fail a command
      // quickly rather than hold a login while Redis is away: the caller fails open.
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
    }) as WithIncrement;
    // Errors surface on the commands; an unhandled 'error' event would crash the process.
    this.redis.on('error', () => {});
    this.redis.defineCommand('rosterIncrement', { numberOfKeys: 1, lua: INCREMENT });
  }

  async increment(key: string, ttlMs: number, nowMs: number, expiry: Expiry): Promise<Counter> {
    const [count, expires] = await this.redis.rosterIncrement(this.prefix + key, nowMs, ttlMs, expiry);
    return { count: Number(count), expiresAtMs: Number(expires) };
  }

  async read(keys: string[], nowMs: number): Promise<Map<string, Counter>> {
    const found = new Map<string, Counter>();
    if (keys.length === 0) return found;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hmget(this.prefix + key, 'c', 'e');
    const results = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const [error, value] = results[i] ?? [null, null];
      if (error) throw error;
      const [count, expires] = (value as [string | null, string | null]) ?? [null, null];
      if (count !== null && expires !== null && Number(expires) > nowMs) {
        found.set(key, { count: Number(count), expiresAtMs: Number(expires) });
      }
    });
    return found;
  }

  async write(key: string, count: number, ttlMs: number, nowMs: number): Promise<void> {
    await this.redis
      .multi()
      .hset(this.prefix + key, 'c', count, 'e', String(nowMs + ttlMs))
      .pexpire(this.prefix + key, Math.max(1, ttlMs))
      .exec();
  }

  async remove(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys.map((key) => this.prefix + key));
  }

  async sweep(): Promise<void> {
    // Redis deletes expired keys itself.
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
