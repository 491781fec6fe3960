/**
 * The per-process user cache (src/auth/user-cache.ts) must never let a change be
 * missed: what the API changes takes effect on the next request, and what
 * anything else changes in the database (another process, SQL) arrives by NOTIFY.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type TestApp, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();

async function me(t: TestApp, auth: Record<string, string>) {
  return t.request({ method: 'GET', url: '/api/v1/users/me', headers: auth });
}

/** Polls until `check` holds (the cache hears SQL changes asynchronously); no timing is asserted. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('user cache, same process', () => {
  it('is listening, and serves /users/me from memory', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect(t.ctx.userCache.enabled).toBe(true);
    expect((await me(t, user.auth)).statusCode).toBe(200);
    expect((await me(t, user.auth)).statusCode).toBe(200);
    expect(t.ctx.userCache.size).toBeGreaterThan(0);
  });

  it('deactivation by a superuser refuses the next request', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect((await me(t, user.auth)).statusCode).toBe(200);
    const patch = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: await t.superuserAuth(),
      payload: { is_active: false },
    });
    expect(patch.statusCode).toBe(200);
    const refused = await me(t, user.auth);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ detail: 'Inactive user' });
  });

  it('deletion answers 404 on the next request', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect((await me(t, user.auth)).statusCode).toBe(200);
    const response = await t.request({ method: 'DELETE', url: `/api/v1/users/${user.id}`, headers: await t.superuserAuth() });
    expect(response.statusCode).toBe(200);
    expect((await me(t, user.auth)).statusCode).toBe(404);
  });

  it('demotion takes superuser routes away on the next request', async () => {
    const t = ctx.get();
    const admin = await t.createUser({ isSuperuser: true });
    expect((await t.request({ method: 'GET', url: '/api/v1/users/', headers: admin.auth })).statusCode).toBe(200);
    const response = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${admin.id}`,
      headers: await t.superuserAuth(),
      payload: { is_superuser: false },
    });
    expect(response.statusCode).toBe(200);
    expect((await t.request({ method: 'GET', url: '/api/v1/users/', headers: admin.auth })).statusCode).toBe(403);
  });

  it('a password change is what the next password check sees', async () => {
    const t = ctx.get();
    const user = await t.createUser({ password: 'first-password' });
    const change = (current: string, next: string) =>
      t.request({
        method: 'PATCH',
        url: '/api/v1/users/me/password',
        headers: user.auth,
        payload: { current_password: current, new_password: next },
      });
    expect((await change('first-password', 'second-password')).statusCode).toBe(200);
    // A stale cached row would still hold the first hash.
    expect((await change('first-password', 'third-password')).statusCode).toBe(400);
    expect((await change('second-password', 'third-password')).statusCode).toBe(200);
  });

  it('hears changes made behind its back (SQL), by NOTIFY', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect((await me(t, user.auth)).statusCode).toBe(200);
    await t.database.handle.db.execute(sql`UPDATE "user" SET is_active = false WHERE id = ${user.id}`);
    await eventually(async () => (await me(t, user.auth)).statusCode === 400);
    const other = await t.createUser();
    expect((await me(t, other.auth)).statusCode).toBe(200);
    await t.database.handle.db.execute(sql`DELETE FROM "user" WHERE id = ${other.id}`);
    await eventually(async () => (await me(t, other.auth)).statusCode === 404);
  });
});
