import { describe, expect, it } from 'vitest';
import { SUPERUSER, uniqueEmail, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function events(query = '') {
  const t = ctx.get();
  const response = await t.request({ method: 'GET', url: `/api/v1/audit-events${query}`, headers: await t.superuserAuth() });
  expect(response.statusCode).toBe(200);
  return response.json() as {
    data: {
      type: string;
      actor_id: string | null;
      target_id: string | null;
      ip: string;
      user_agent: string;
      details: Record<string, unknown>;
    }[];
    next_cursor: string | null;
  };
}

describe('audit log', () => {
  it('records logins, failures with an internal reason, and logout, with IP and user agent', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: { ...form, 'user-agent': 'AuditAgent/1' },
      payload: new URLSearchParams({ username: user.email, password: 'wrong-password!' }).toString(),
    });
    await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: form,
      payload: new URLSearchParams({ username: uniqueEmail('nobody'), password: 'whatever-pass' }).toString(),
    });
    const login = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: { ...form, 'user-agent': 'AuditAgent/1' },
      payload: new URLSearchParams({ username: user.email, password: user.password }).toString(),
    });
    await t.request({ method: 'POST', url: '/api/v1/logout', headers: { authorization: `Bearer ${login.json().access_token}` } });

    const mine = await events(`?user_id=${user.id}`);
    const types = mine.data.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['logout', 'login.succeeded', 'login.failed']);
    const failed = mine.data.find((e) => e.type === 'login.failed');
    expect(failed).toMatchObject({
      target_id: user.id,
      ip: '127.0.0.1',
      user_agent: 'AuditAgent/1',
      details: { reason: 'wrong_password' },
    });
    const unknown = (await events('?type=login.failed')).data.find((e) => e.target_id === null);
    expect(unknown?.details).toEqual({ reason: 'unknown_email', method: 'password' });
  });

  it('records admin changes with what changed, never a password or token', async () => {
    const t = ctx.get();
    const admin = await t.superuserAuth();
    const adminId = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: admin })).json().id;
    const secret = 'very-secret-new-password';
    const created = (
      await t.request({
        method: 'POST',
        url: '/api/v1/users/',
        headers: admin,
        payload: { email: uniqueEmail('audited'), password: secret },
      })
    ).json();
    await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${created.id}`,
      headers: admin,
      payload: { is_superuser: true, password: `${secret}-2` },
    });
    await t.request({ method: 'PATCH', url: `/api/v1/users/${created.id}`, headers: admin, payload: { is_active: false } });
    await t.request({ method: 'DELETE', url: `/api/v1/users/${created.id}`, headers: admin });
    const all = await events(`?user_id=${created.id}`);
    expect(all.data.every((e) => e.actor_id === adminId)).toBe(true);
    // The promotion is also a grant of the superuser role (written in the same transaction: same time, any order).
    expect(all.data.filter((e) => e.type === 'role.granted').map((e) => e.details)).toEqual([{ role: 'superuser' }]);
    const log = { data: all.data.filter((e) => e.type !== 'role.granted') };
    expect(log.data.map((e) => e.type)).toEqual([
      'admin.user_deleted',
      'admin.user_updated',
      'admin.user_updated',
      'admin.user_created',
    ]);
    expect(log.data[2]?.details).toMatchObject({ changed: ['password', 'is_superuser'], promoted: true });
    expect(log.data[1]?.details).toMatchObject({ changed: ['is_active'], deactivated: true });
    const everything = JSON.stringify((await events('?limit=500')).data);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(SUPERUSER.password);
    expect(everything).not.toMatch(/\$argon2|eyJ[A-Za-z0-9_-]{10,}/);
  });

  it('records the private route, password changes and email changes', async () => {
    const t = ctx.get();
    const email = uniqueEmail('private');
    const made = (
      await t.request({
        method: 'POST',
        url: '/api/v1/private/users/',
        payload: { email, password: 'private-password', full_name: 'P' },
      })
    ).json();
    const auth = await t.authFor(email, 'private-password');
    await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: auth,
      payload: { current_password: 'private-password', new_password: 'private-password-2' },
    });
    await t.request({ method: 'PATCH', url: '/api/v1/users/me', headers: auth, payload: { email: uniqueEmail('moved') } });
    const types = (await events(`?user_id=${made.id}`)).data.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['private.user_created', 'password.changed', 'email.changed']));
  });

  it('pages by cursor without overlap, and filters by type and time', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    for (let i = 0; i < 5; i++) {
      await t.request({
        method: 'POST',
        url: '/api/v1/login/access-token',
        headers: form,
        payload: new URLSearchParams({ username: user.email, password: `wrong-${i}-password` }).toString(),
      });
    }
    const first = await events(`?user_id=${user.id}&type=login.failed&limit=2`);
    expect(first.data).toHaveLength(2);
    const second = await events(`?user_id=${user.id}&type=login.failed&limit=2&cursor=${first.next_cursor}`);
    const third = await events(`?user_id=${user.id}&type=login.failed&limit=2&cursor=${second.next_cursor}`);
    const ids = [...first.data, ...second.data, ...third.data].map((e) => JSON.stringify(e));
    expect(new Set(ids).size).toBe(5);
    expect(third.next_cursor).toBeNull();
    const future = await events(`?since=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    expect(future.data).toEqual([]);
  });

  it('is for superusers; bad filters are 422', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect((await t.request({ method: 'GET', url: '/api/v1/audit-events', headers: user.auth })).statusCode).toBe(403);
    for (const query of ['?type=nope', '?cursor=bm9wZQ', '?since=yesterday', '?limit=0', '?user_id=x']) {
      const response = await t.request({ method: 'GET', url: `/api/v1/audit-events${query}`, headers: await t.superuserAuth() });
      expect(response.statusCode, query).toBe(422);
    }
  });

  it('forged cursors, dates past year 9999 or before year 1, and leap seconds are 422 on their field', async () => {
    const t = ctx.get();
    const cursor = (text: string) => Buffer.from(text).toString('base64url');
    const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
    const cases: [string, string][] = [
      [`?cursor=${cursor(`+275760-09-13T00:00:00.000Z|${id}`)}`, 'cursor'],
      [`?cursor=${cursor(`10000-01-01T00:00:00.000Z|${id}`)}`, 'cursor'],
      [`?cursor=${cursor(`0000-01-01T00:00:00.000Z|${id}`)}`, 'cursor'],
      [`?cursor=${cursor(`2024-01-01T00:00:00.000Z|${'-'.repeat(36)}`)}`, 'cursor'],
      [`?cursor=${cursor(`2024-01-01T00:00:00.000Z|${'g'.repeat(36)}`)}`, 'cursor'],
      [`?cursor=${cursor(`2024-01-01T00:00:00.000Z|${id}|extra`)}`, 'cursor'],
      [`?since=${encodeURIComponent('9999-12-31T23:59:59-23:59')}`, 'since'],
      [`?until=${encodeURIComponent('0000-01-01T00:00:00Z')}`, 'until'],
      [`?since=${encodeURIComponent('2016-12-31T23:59:60Z')}`, 'since'],
      [`?until=${encodeURIComponent('2016-12-31T23:59:60Z')}`, 'until'],
    ];
    for (const [query, field] of cases) {
      const response = await t.request({ method: 'GET', url: `/api/v1/audit-events${query}`, headers: await t.superuserAuth() });
      expect(response.statusCode, query).toBe(422);
      expect(
        response.json().detail.map((issue: { loc: unknown[] }) => issue.loc),
        query,
      ).toContainEqual(['query', field]);
    }
  });
});
