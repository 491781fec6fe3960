/**
 * Limits and locks hold across Roster processes: requests alternate between two
 * processes sharing one PostgreSQL database, then two sharing one Redis.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { type RosterProcess, startRoster } from '../helpers/process.js';

vi.setConfig({ testTimeout: 180_000 });

const redisUrl = process.env.TEST_REDIS_URL;
const ADMIN = { email: 'root@example.com', password: 'a-strong-admin-password' };

function baseEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    ENVIRONMENT: 'staging',
    PROJECT_NAME: 'Roster',
    SECRET_KEY: 'a-production-secret-key-of-enough-length-123',
    FIRST_SUPERUSER: ADMIN.email,
    FIRST_SUPERUSER_PASSWORD: ADMIN.password,
    RATE_LIMIT_LOGIN_PER_IP: '6/1h',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '1000/1h',
    LOGIN_LOCK_AFTER_FAILURES: '3',
    LOGIN_LOCK_SECONDS: '600',
  };
}

async function login(proc: RosterProcess, username: string, password: string): Promise<Response> {
  return fetch(`${proc.baseUrl}/api/v1/login/access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
}

/** Starts two processes on `env`, runs `work` with them, and cleans up. */
async function withTwo(env: Record<string, string>, work: (a: RosterProcess, b: RosterProcess) => Promise<void>) {
  const first = await startRoster(env);
  await first.ready(); // the first one migrates; the second then starts on a ready database
  const second = await startRoster(env);
  try {
    await second.ready();
    await work(first, second);
  } finally {
    await Promise.all([first.stop(), second.stop()]);
  }
}

async function checkSharedCounters(a: RosterProcess, b: RosterProcess): Promise<void> {
  // Lockout: three failures spread over both processes lock the pair on both.
  const statuses: number[] = [];
  for (const [i, proc] of [a, b, a].entries()) statuses.push((await login(proc, ADMIN.email, `wrong-${i}`)).status);
  expect(statuses).toEqual([400, 400, 400]);
  const locked = await login(b, ADMIN.email, ADMIN.password);
  expect(locked.status).toBe(429);
  const retryAfter = Number(locked.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(590);
  expect(retryAfter).toBeLessThanOrEqual(600);
  expect((await login(a, ADMIN.email, ADMIN.password)).status).toBe(429);

  // Rate limit: 6 attempts an hour from this address, counted on both processes
  // (the five above, the sixth below; the seventh is refused wherever it lands).
  expect((await login(b, 'someone@example.com', 'wrong')).status).toBe(400);
  const seventh = await login(a, 'someone-else@example.com', 'wrong');
  expect(seventh.status).toBe(429);
  expect(((await seventh.json()) as { detail: string }).detail).toMatch(/^Too many requests; try again in \d+ seconds$/);
  expect((await login(b, 'someone-else@example.com', 'wrong')).status).toBe(429);
}

describe.skipIf(!onPostgres)('two Roster processes on one PostgreSQL database', () => {
  it('share rate limits and login locks', async () => {
    const database = await createPostgresDatabase('roster_guard');
    try {
      await withTwo(baseEnv(database.url), checkSharedCounters);
    } finally {
      await database.drop();
    }
  });
});

describe.skipIf(!onPostgres || !redisUrl)('two Roster processes on one Redis', () => {
  it('share rate limits and login locks, and leave the database table empty', async () => {
    const database = await createPostgresDatabase('roster_guard');
    const prefix = `roster-test:${randomBytes(6).toString('hex')}:`;
    try {
      const env = { ...baseEnv(database.url), REDIS_URL: redisUrl as string, REDIS_KEY_PREFIX: prefix };
      await withTwo(env, checkSharedCounters);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM rate_limit_counter');
      await client.end();
      expect(rows[0]?.n).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
