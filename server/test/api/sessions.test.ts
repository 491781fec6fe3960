import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/utils/clock.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const clock = new ManualClock();
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ clock });
});
afterAll(async () => {
  await t.app.close();
  await t.database.drop();
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = (token: string) => t.request({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) });
const refresh = (refreshToken: string) =>
  t.request({
    method: 'POST',
    url: '/api/v1/login/refresh-token',
    headers: form,
    payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });

async function loginPair(email: string, password: string, userAgent = 'vitest') {
  const response = await t.request({
    method: 'POST',
    url: '/api/v1/login/access-token',
    headers: { ...form, 'user-agent': userAgent },
    payload: new URLSearchParams({ username: email, password }).toString(),
  });
  expect(response.statusCode).toBe(200);
  return response.json() as { access_token: string; refresh_token: string; expires_in: number; token_type: string };
}

describe('login and refresh', () => {
  it('login adds refresh_token and expires_in to the contract’s token', async () => {
    const user = await t.createUser();
    const pair = await loginPair(user.email, user.password);
    expect(pair.token_type).toBe('bearer');
    expect(pair.expires_in).toBe(11520 * 60);
    expect(pair.refresh_token.length).toBeGreaterThan(30);
    expect((await me(pair.access_token)).statusCode).toBe(200);
  });

  it('refresh rotates: a new pair each time, by form or JSON', async () => {
    const user = await t.createUser();
    const first = await loginPair(user.email, user.password);
    const second = await refresh(first.refresh_token);
    expect(second.statusCode).toBe(200);
    expect(second.json().refresh_token).not.toBe(first.refresh_token);
    const third = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      payload: { refresh_token: second.json().refresh_token },
    });
    expect(third.statusCode).toBe(200);
    expect((await me(third.json().access_token)).json().id).toBe(user.id);
  });

  it('a used refresh token presented again after the grace window revokes the session', async () => {
    const user = await t.createUser();
    const first = await loginPair(user.email, user.password);
    const second = (await refresh(first.refresh_token)).json();
    clock.advance(31);
    const replay = await refresh(first.refresh_token);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toEqual({ detail: 'Invalid refresh token' });
    expect((await refresh(second.refresh_token)).statusCode).toBe(400);
    expect((await me(second.access_token)).statusCode).toBe(403);
    expect((await me(first.access_token)).json()).toEqual({ detail: 'Could not validate credentials' });
  });

  it('two concurrent refreshes with one token both succeed (two tabs)', async () => {
    const user = await t.createUser();
    const pair = await loginPair(user.email, user.password);
    const [a, b] = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect((await me(a.json().access_token)).statusCode).toBe(200);
    expect((await refresh(b.json().refresh_token)).statusCode).toBe(200);
  });

  it('a repeated use within the grace window gets the same successor, so the session does not fork', async () => {
    const user = await t.createUser();
    const pair = await loginPair(user.email, user.password);
    const [a, b] = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);
    clock.advance(10);
    const c = await refresh(pair.refresh_token);
    expect(b.json().refresh_token).toBe(a.json().refresh_token);
    expect(c.json().refresh_token).toBe(a.json().refresh_token);
    // One chain (the login's token, its one successor, the next): nothing else was left alive to use later.
    const next = await refresh(a.json().refresh_token);
    expect(next.statusCode).toBe(200);
    const issued = await t.ctx.db.execute(
      sql`SELECT count(*)::int AS n FROM refresh_token r JOIN session s ON s.id = r.session_id WHERE s.user_id = ${user.id} AND s.user_agent = 'vitest'`,
    );
    expect((issued as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(3);
    clock.advance(31);
    expect((await refresh(next.json().refresh_token)).statusCode).toBe(200);
  });

  it('a session ends SESSION_MAX_DAYS (90) after its login, however often it is refreshed', async () => {
    const user = await t.createUser();
    let token = (await loginPair(user.email, user.password)).refresh_token;
    for (let i = 0; i < 4; i++) {
      clock.advance(20 * 86_400);
      const next = await refresh(token);
      expect(next.statusCode, `day ${20 * (i + 1)}`).toBe(200);
      token = next.json().refresh_token;
    }
    clock.advance(9 * 86_400);
    const lastDay = await refresh(token);
    expect(lastDay.statusCode).toBe(200);
    clock.advance(86_400);
    expect((await refresh(lastDay.json().refresh_token)).json()).toEqual({ detail: 'Invalid refresh token' });
  });

  it('login and refresh answers, refusals included, are Cache-Control: no-store', async () => {
    const user = await t.createUser();
    const login = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: form,
      payload: new URLSearchParams({ username: user.email, password: user.password }).toString(),
    });
    const failed = await t.login(user.email, 'wrong-password');
    const refreshed = await refresh(login.json().refresh_token);
    const refused = await refresh('garbage');
    expect([login.statusCode, failed.statusCode, refreshed.statusCode, refused.statusCode]).toEqual([200, 400, 200, 400]);
    for (const response of [login, failed, refreshed, refused]) expect(response.headers['cache-control']).toBe('no-store');
  });

  it('refuses garbage, missing and expired refresh tokens', async () => {
    expect((await refresh('garbage')).statusCode).toBe(400);
    expect((await t.request({ method: 'POST', url: '/api/v1/login/refresh-token' })).statusCode).toBe(400);
    const bad = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      payload: { grant_type: 'password', refresh_token: 'x' },
    });
    expect(bad.statusCode).toBe(422);
    const user = await t.createUser();
    const pair = await loginPair(user.email, user.password);
    clock.advance(31 * 86_400);
    expect((await refresh(pair.refresh_token)).statusCode).toBe(400);
  });

  it('an access token without a session id is refused', async () => {
    const user = await t.createUser();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setExpirationTime(clock.nowSeconds() + 600)
      .sign(new TextEncoder().encode('test-secret-key-that-is-long-enough-for-hs256'));
    expect((await me(token)).statusCode).toBe(403);
  });
});

describe('logout and sessions', () => {
  it('logout ends the session: its access and refresh tokens stop working', async () => {
    const user = await t.createUser();
    const pair = await loginPair(user.email, user.password);
    const out = await t.request({ method: 'POST', url: '/api/v1/logout', headers: bearer(pair.access_token) });
    expect(out.statusCode).toBe(200);
    expect((await me(pair.access_token)).statusCode).toBe(403);
    expect((await refresh(pair.refresh_token)).statusCode).toBe(400);
  });

  it('lists my sessions with the current one marked, and revokes one or all others', async () => {
    const user = await t.createUser();
    const laptop = await loginPair(user.email, user.password, 'Laptop Browser');
    const phone = await loginPair(user.email, user.password, 'Phone Browser');
    const tablet = await loginPair(user.email, user.password, 'Tablet Browser');
    const list = (
      await t.request({ method: 'GET', url: '/api/v1/users/me/sessions', headers: bearer(laptop.access_token) })
    ).json();
    const mine = list.data.filter((s: { user_agent: string }) => s.user_agent.endsWith('Browser'));
    expect(mine).toHaveLength(3);
    expect(mine.filter((s: { current: boolean }) => s.current).map((s: { user_agent: string }) => s.user_agent)).toEqual([
      'Laptop Browser',
    ]);
    expect(mine[0]).toMatchObject({ ip: '127.0.0.1' });

    const phoneId = mine.find((s: { user_agent: string }) => s.user_agent === 'Phone Browser').id;
    const one = await t.request({
      method: 'DELETE',
      url: `/api/v1/users/me/sessions/${phoneId}`,
      headers: bearer(laptop.access_token),
    });
    expect(one.statusCode).toBe(200);
    expect((await me(phone.access_token)).statusCode).toBe(403);
    const again = await t.request({
      method: 'DELETE',
      url: `/api/v1/users/me/sessions/${phoneId}`,
      headers: bearer(laptop.access_token),
    });
    expect(again.statusCode).toBe(404);

    const others = await t.request({ method: 'DELETE', url: '/api/v1/users/me/sessions', headers: bearer(laptop.access_token) });
    expect(others.statusCode).toBe(200);
    expect((await me(tablet.access_token)).statusCode).toBe(403);
    expect((await me(laptop.access_token)).statusCode).toBe(200);
  });

  it('cannot revoke someone else’s session', async () => {
    const alice = await t.createUser();
    const bob = await t.createUser();
    const bobPair = await loginPair(bob.email, bob.password);
    const bobSessions = (
      await t.request({ method: 'GET', url: '/api/v1/users/me/sessions', headers: bearer(bobPair.access_token) })
    ).json();
    const response = await t.request({
      method: 'DELETE',
      url: `/api/v1/users/me/sessions/${bobSessions.data[0].id}`,
      headers: alice.auth,
    });
    expect(response.statusCode).toBe(404);
    expect((await me(bobPair.access_token)).statusCode).toBe(200);
  });

  it('a superuser lists a user’s sessions and signs them out everywhere', async () => {
    const user = await t.createUser();
    const pair = await loginPair(user.email, user.password);
    const admin = await t.superuserAuth();
    const list = await t.request({ method: 'GET', url: `/api/v1/users/${user.id}/sessions`, headers: admin });
    expect(list.json().count).toBeGreaterThanOrEqual(1);
    expect((await t.request({ method: 'GET', url: `/api/v1/users/${user.id}/sessions`, headers: user.auth })).statusCode).toBe(
      403,
    );
    const everywhere = await t.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/sessions`, headers: admin });
    expect(everywhere.statusCode).toBe(200);
    expect((await me(pair.access_token)).statusCode).toBe(403);
    expect((await refresh(pair.refresh_token)).statusCode).toBe(400);
    const missing = await t.request({
      method: 'DELETE',
      url: '/api/v1/users/3fa85f64-5717-4562-b3fc-2c963f66afa6/sessions',
      headers: admin,
    });
    expect(missing.statusCode).toBe(404);
  });
});

describe('changes that end sessions', () => {
  it('changing my password ends my other sessions and keeps this one', async () => {
    const user = await t.createUser();
    const here = await loginPair(user.email, user.password);
    const there = await loginPair(user.email, user.password);
    const response = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: bearer(here.access_token),
      payload: { current_password: user.password, new_password: 'a-changed-password' },
    });
    expect(response.statusCode).toBe(200);
    expect((await me(here.access_token)).statusCode).toBe(200);
    expect((await me(there.access_token)).statusCode).toBe(403);
    expect((await refresh(there.refresh_token)).statusCode).toBe(400);
  });

  it('a password reset ends every session', async () => {
    const user = await t.createUser();
    const pair = await loginPair(user.email, user.password);
    const token = await t.ctx.oneTimeTokens.issue(t.ctx.db, user.id, 'password_reset', user.email);
    expect(
      (await t.request({ method: 'POST', url: '/api/v1/reset-password/', payload: { token, new_password: 'reset-password-1' } }))
        .statusCode,
    ).toBe(200);
    expect((await me(pair.access_token)).statusCode).toBe(403);
    expect((await refresh(pair.refresh_token)).statusCode).toBe(400);
  });

  it('deactivation by a superuser ends every session; an admin password change too', async () => {
    const admin = await t.superuserAuth();
    const user = await t.createUser();
    const pair = await loginPair(user.email, user.password);
    await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: admin,
      payload: { password: 'set-by-admin-1' },
    });
    expect((await me(pair.access_token)).statusCode).toBe(403);
    const next = await loginPair(user.email, 'set-by-admin-1');
    await t.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: admin, payload: { is_active: false } });
    expect((await me(next.access_token)).json()).toEqual({ detail: 'Inactive user' });
    await t.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: admin, payload: { is_active: true } });
    expect((await me(next.access_token)).statusCode).toBe(403);
    expect((await refresh(next.refresh_token)).statusCode).toBe(400);
  });
});

describe('the web app’s refresh cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to the refresh path, and never in the body', async () => {
    const user = await t.createUser();
    const login = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: { ...form, 'x-roster-refresh': 'cookie', host: 'localhost:8000' },
      payload: new URLSearchParams({ username: user.email, password: user.password }).toString(),
    });
    expect(login.statusCode).toBe(200);
    expect(login.json()).not.toHaveProperty('refresh_token');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^roster_refresh=[^;]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/api/v1/login/refresh-token');
    expect(setCookie).not.toContain('Secure');
    const cookie = setCookie.split(';')[0] as string;

    const refreshed = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      headers: { cookie, host: 'localhost:8000' },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json()).not.toHaveProperty('refresh_token');
    expect(String(refreshed.headers['set-cookie'])).not.toContain(cookie);
    expect((await me(refreshed.json().access_token)).statusCode).toBe(200);
  });

  it('comes with a marker scripts can read (no secret in it), cleared with it on logout and on a failed refresh', async () => {
    const user = await t.createUser();
    const cookieLogin = () =>
      t.request({
        method: 'POST',
        url: '/api/v1/login/access-token',
        headers: { ...form, 'x-roster-refresh': 'cookie', host: 'localhost:8000' },
        payload: new URLSearchParams({ username: user.email, password: user.password }).toString(),
      });
    const login = await cookieLogin();
    const marker = login.cookies.find((c) => c.name === 'roster_session');
    expect(marker).toMatchObject({ value: '1', path: '/', sameSite: 'Strict' });
    expect(marker?.httpOnly).toBeFalsy();
    const refreshCookie = login.cookies.find((c) => c.name === 'roster_refresh');
    expect(marker?.expires?.getTime()).toBe(refreshCookie?.expires?.getTime());
    // A client that keeps its refresh token in the body gets no marker.
    const bodyLogin = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: form,
      payload: new URLSearchParams({ username: user.email, password: user.password }).toString(),
    });
    expect(bodyLogin.cookies).toEqual([]);

    const out = await t.request({
      method: 'POST',
      url: '/api/v1/logout',
      headers: { ...bearer(login.json().access_token), host: 'localhost:8000' },
    });
    const cleared = out.cookies.find((c) => c.name === 'roster_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.path).toBe('/');

    const failed = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      headers: { cookie: `roster_refresh=${refreshCookie?.value}; roster_session=1`, host: 'localhost:8000' },
    });
    expect(failed.statusCode).toBe(400);
    expect(failed.cookies.find((c) => c.name === 'roster_session')?.value).toBe('');
  });

  it('is Secure when COOKIE_SECURE says so, whatever the Host', async () => {
    const secure = await startTestApp({ env: { COOKIE_SECURE: 'true' } });
    try {
      const user = await secure.createUser();
      const login = await secure.request({
        method: 'POST',
        url: '/api/v1/login/access-token',
        headers: { ...form, 'x-roster-refresh': 'cookie', host: 'localhost:8000' },
        payload: new URLSearchParams({ username: user.email, password: user.password }).toString(),
      });
      expect(String(login.headers['set-cookie'])).toContain('Secure');
    } finally {
      await secure.app.close();
      await secure.database.drop();
    }
  });
});
