/**
 * Two real Roster processes on one PostgreSQL: a change made through one must
 * take effect in the other within 100 ms (issue 5's bound on the user cache, the
 * one timing assertion of the suite), by LISTEN/NOTIFY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, onPostgres, type TestDatabase } from '../helpers/database.js';
import { type RosterProcess, startRoster } from '../helpers/process.js';

const BOUND_MS = 100;
const env = {
  ENVIRONMENT: 'staging',
  PROJECT_NAME: 'Roster',
  SECRET_KEY: 'a-production-secret-key-of-enough-length-123',
  FIRST_SUPERUSER: 'root@example.com',
  FIRST_SUPERUSER_PASSWORD: 'a-strong-admin-password',
};

async function call(base: string, method: string, path: string, auth?: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function bearer(base: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/login/access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
  expect(response.status).toBe(200);
  return `Bearer ${((await response.json()) as { access_token: string }).access_token}`;
}

/**
 * Polls `path` on `base` until it answers `status`; returns the ms from `since`.
 * The deadline is generous so a slow machine fails on the bound, not on a timeout.
 */
async function msUntil(base: string, path: string, auth: string, status: number, since: number): Promise<number> {
  const deadline = since + 10_000;
  for (;;) {
    const response = await call(base, 'GET', path, auth);
    await response.arrayBuffer();
    if (response.status === status) return performance.now() - since;
    if (performance.now() > deadline) throw new Error(`${path} still answers ${response.status}`);
  }
}

describe.skipIf(!onPostgres)('two processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let a: RosterProcess;
  let b: RosterProcess;
  let admin: string;

  beforeAll(async () => {
    database = await freshDatabase();
    const url = database.url as string;
    [a, b] = await Promise.all([startRoster({ ...env, DATABASE_URL: url }), startRoster({ ...env, DATABASE_URL: url })]);
    await Promise.all([a.ready(), b.ready()]);
    admin = await bearer(a.baseUrl, env.FIRST_SUPERUSER, env.FIRST_SUPERUSER_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  /** A user made through A, signed in and cached (two requests) in B. */
  async function cachedInB(extra: Record<string, unknown> = {}): Promise<{ id: string; auth: string }> {
    const email = `mp-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
    const created = await call(a.baseUrl, 'POST', '/users/', admin, { email, password: 'multi-process-pw', ...extra });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    const auth = await bearer(b.baseUrl, email, 'multi-process-pw');
    for (let i = 0; i < 2; i++) expect((await call(b.baseUrl, 'GET', '/users/me', auth)).status).toBe(200);
    return { id, auth };
  }

  it(`deactivation in A: B refuses the token within ${BOUND_MS} ms`, async () => {
    const user = await cachedInB();
    const patched = await call(a.baseUrl, 'PATCH', `/users/${user.id}`, admin, { is_active: false });
    const since = performance.now();
    expect(patched.status).toBe(200);
    expect(await msUntil(b.baseUrl, '/users/me', user.auth, 400, since)).toBeLessThan(BOUND_MS);
  });

  it(`deletion in A: B answers 404 within ${BOUND_MS} ms`, async () => {
    const user = await cachedInB();
    const deleted = await call(a.baseUrl, 'DELETE', `/users/${user.id}`, admin);
    const since = performance.now();
    expect(deleted.status).toBe(200);
    expect(await msUntil(b.baseUrl, '/users/me', user.auth, 404, since)).toBeLessThan(BOUND_MS);
  });

  it(`demotion in A: B refuses superuser routes within ${BOUND_MS} ms`, async () => {
    const user = await cachedInB({ is_superuser: true });
    expect((await call(b.baseUrl, 'GET', '/users/', user.auth)).status).toBe(200);
    const patched = await call(a.baseUrl, 'PATCH', `/users/${user.id}`, admin, { is_superuser: false });
    const since = performance.now();
    expect(patched.status).toBe(200);
    expect(await msUntil(b.baseUrl, '/users/?limit=1', user.auth, 403, since)).toBeLessThan(BOUND_MS);
  });

  it(`password change in A: B checks the new password within ${BOUND_MS} ms`, async () => {
    const user = await cachedInB();
    const changed = await call(a.baseUrl, 'PATCH', '/users/me/password', user.auth, {
      current_password: 'multi-process-pw',
      new_password: 'changed-password',
    });
    const since = performance.now();
    expect(changed.status).toBe(200);
    // B checks `current_password` against its cached row, and refuses before changing anything:
    // with the old hash it says "Incorrect password", with the new one "cannot be the same".
    const deadline = since + 10_000;
    for (;;) {
      const response = await call(b.baseUrl, 'PATCH', '/users/me/password', user.auth, {
        current_password: 'changed-password',
        new_password: 'changed-password',
      });
      expect(response.status).toBe(400);
      const { detail } = (await response.json()) as { detail: string };
      if (detail === 'New password cannot be the same as the current one') break;
      expect(detail).toBe('Incorrect password');
      if (performance.now() > deadline) throw new Error('B still checks against the old password');
    }
    expect(performance.now() - since).toBeLessThan(BOUND_MS);
  });
});
