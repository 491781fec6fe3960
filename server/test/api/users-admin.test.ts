import { describe, expect, it } from 'vitest';
import { SUPERUSER, uniqueEmail, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();
const UNKNOWN_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

describe('GET /users/', () => {
  it('pages newest first with a count of all users', async () => {
    const t = ctx.get();
    const auth = await t.superuserAuth();
    for (let i = 0; i < 3; i++) await t.createUser();
    const all = await t.request({ method: 'GET', url: '/api/v1/users/', headers: auth });
    expect(all.statusCode).toBe(200);
    const { data, count } = all.json();
    expect(count).toBe(data.length);
    expect(count).toBeGreaterThanOrEqual(4);
    const created = data.map((u: { created_at: string }) => Date.parse(u.created_at));
    expect([...created].sort((a, b) => b - a)).toEqual(created);

    const page = await t.request({ method: 'GET', url: '/api/v1/users/?skip=1&limit=2', headers: auth });
    expect(page.json().data.map((u: { id: string }) => u.id)).toEqual(data.slice(1, 3).map((u: { id: string }) => u.id));
    expect(page.json().count).toBe(count);
    const empty = await t.request({ method: 'GET', url: '/api/v1/users/?limit=0', headers: auth });
    expect(empty.json()).toEqual({ data: [], count, next_cursor: null });
  });

  it('403 for a non-superuser, 401 without a token', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const asUser = await t.request({ method: 'GET', url: '/api/v1/users/', headers: user.auth });
    expect(asUser.statusCode).toBe(403);
    expect(asUser.json()).toEqual({ detail: "The user doesn't have enough privileges" });
    expect((await t.request({ method: 'GET', url: '/api/v1/users/' })).statusCode).toBe(401);
  });

  it('checks auth before parameters', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect((await t.request({ method: 'GET', url: '/api/v1/users/?skip=-1', headers: user.auth })).statusCode).toBe(403);
  });

  it.each(['skip=-1', 'limit=-5', 'skip=abc', 'limit=1.5', 'skip=', 'order_by=password', 'is_active=maybe'])(
    '422 for %s',
    async (query) => {
      const t = ctx.get();
      const response = await t.request({ method: 'GET', url: `/api/v1/users/?${query}`, headers: await t.superuserAuth() });
      expect(response.statusCode).toBe(422);
      expect(response.json().detail[0].loc[0]).toBe('query');
    },
  );

  it('searches email and name case-insensitively, filters, and counts the filtered set', async () => {
    const t = ctx.get();
    const auth = await t.superuserAuth();
    const tag = `zq${Date.now()}`;
    await t.createUser({ email: `${tag}-one@example.com`, fullName: 'Alpha' });
    await t.createUser({ email: `other-${Date.now()}@example.com`, fullName: `Beta ${tag.toUpperCase()}` });
    await t.createUser({ email: `${tag}-inactive@example.com`, fullName: 'Gamma', isActive: false });
    const found = await t.request({ method: 'GET', url: `/api/v1/users/?q=${tag.toUpperCase()}`, headers: auth });
    expect(found.json().count).toBe(3);
    const active = await t.request({
      method: 'GET',
      url: `/api/v1/users/?q=${tag}&is_active=true&order_by=email`,
      headers: auth,
    });
    expect(active.json().count).toBe(2);
    const emails = active.json().data.map((u: { email: string }) => u.email);
    expect(emails).toEqual([...emails].sort());
    const wildcard = await t.request({ method: 'GET', url: '/api/v1/users/?q=%25', headers: auth });
    expect(wildcard.json().count).toBe(0);
    const supers = await t.request({ method: 'GET', url: '/api/v1/users/?is_superuser=true', headers: auth });
    expect(supers.json().data.map((u: { email: string }) => u.email)).toContain(SUPERUSER.email);
  });
});

describe('POST /users/', () => {
  it('creates a user with the given flags', async () => {
    const t = ctx.get();
    const email = uniqueEmail('admin-made');
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/',
      headers: await t.superuserAuth(),
      payload: { email, password: 'initial-password', full_name: 'Made', is_superuser: true, is_active: false },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ email, full_name: 'Made', is_superuser: true, is_active: false });
  });

  it('defaults to active, non-superuser', async () => {
    const t = ctx.get();
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/',
      headers: await t.superuserAuth(),
      payload: { email: uniqueEmail(), password: 'initial-password' },
    });
    expect(response.json()).toMatchObject({ is_active: true, is_superuser: false, full_name: null });
  });

  it('400 with a final period for a duplicate email', async () => {
    const t = ctx.get();
    const existing = await t.createUser();
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/',
      headers: await t.superuserAuth(),
      payload: { email: existing.email.toUpperCase(), password: 'initial-password' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'The user with this email already exists in the system.' });
  });

  it('403 for a non-superuser; 422 for bad input', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect(
      (
        await t.request({
          method: 'POST',
          url: '/api/v1/users/',
          headers: user.auth,
          payload: { email: uniqueEmail(), password: 'initial-password' },
        })
      ).statusCode,
    ).toBe(403);
    const bad = await t.request({
      method: 'POST',
      url: '/api/v1/users/',
      headers: await t.superuserAuth(),
      payload: { email: uniqueEmail(), password: 'initial-password', is_active: 'yes' },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0].loc).toEqual(['body', 'is_active']);
    const nullFlag = await t.request({
      method: 'POST',
      url: '/api/v1/users/',
      headers: await t.superuserAuth(),
      payload: { email: uniqueEmail(), password: 'initial-password', is_superuser: null },
    });
    expect(nullFlag.statusCode).toBe(422);
  });
});

describe('PATCH /users/{user_id}', () => {
  it('updates fields and re-hashes a new password', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const newEmail = uniqueEmail('patched');
    const response = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: await t.superuserAuth(),
      payload: { email: newEmail, full_name: 'Patched', password: 'patched-password', is_superuser: true, is_verified: true },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      email: newEmail,
      full_name: 'Patched',
      is_superuser: true,
      is_verified: true,
      is_active: true,
    });
    expect((await t.login(newEmail, 'patched-password')).statusCode).toBe(200);
    const stored = await t.ctx.users.getById(user.id);
    expect(stored?.hashedPassword).toMatch(/^\$argon2id\$/);
  });

  it('404 for an unknown id, 409 for another user’s email', async () => {
    const t = ctx.get();
    const auth = await t.superuserAuth();
    const missing = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${UNKNOWN_ID}`,
      headers: auth,
      payload: { full_name: 'x' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'The user with this id does not exist in the system' });
    const a = await t.createUser();
    const b = await t.createUser();
    const taken = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${a.id}`,
      headers: auth,
      payload: { email: b.email.toUpperCase() },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({ detail: 'User with this email already exists' });
  });

  it('a superuser cannot deactivate or demote themselves', async () => {
    const t = ctx.get();
    const auth = await t.superuserAuth();
    const me = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: auth })).json();
    for (const payload of [{ is_active: false }, { is_superuser: false }]) {
      const response = await t.request({ method: 'PATCH', url: `/api/v1/users/${me.id}`, headers: auth, payload });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ detail: 'Super users are not allowed to demote or deactivate themselves' });
    }
    const rename = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${me.id}`,
      headers: auth,
      payload: { full_name: 'Still Admin', is_active: true },
    });
    expect(rename.statusCode).toBe(200);
  });

  it('403 for a non-superuser', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const response = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: user.auth,
      payload: { is_superuser: true },
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('DELETE /users/{user_id}', () => {
  it('deletes the user and their items', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const item = (
      await t.request({ method: 'POST', url: '/api/v1/items/', headers: user.auth, payload: { title: 'to cascade' } })
    ).json();
    const auth = await t.superuserAuth();
    const response = await t.request({ method: 'DELETE', url: `/api/v1/users/${user.id}`, headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: 'User deleted successfully' });
    expect((await t.request({ method: 'GET', url: `/api/v1/items/${item.id}`, headers: auth })).statusCode).toBe(404);
  });

  it('404 first for an unknown id, 403 for own id', async () => {
    const t = ctx.get();
    const auth = await t.superuserAuth();
    const missing = await t.request({ method: 'DELETE', url: `/api/v1/users/${UNKNOWN_ID}`, headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'User not found' });
    const me = (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: auth })).json();
    const self = await t.request({ method: 'DELETE', url: `/api/v1/users/${me.id}`, headers: auth });
    expect(self.statusCode).toBe(403);
    expect(self.json()).toEqual({ detail: 'Super users are not allowed to delete themselves' });
  });

  it('403 for a non-superuser', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const other = await t.createUser();
    expect((await t.request({ method: 'DELETE', url: `/api/v1/users/${other.id}`, headers: user.auth })).statusCode).toBe(403);
  });
});
