import { describe, expect, it } from 'vitest';
import { SUPERUSER, uniqueEmail, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();

describe('POST /users/signup', () => {
  it('creates an active, non-superuser, unverified account that can log in', async () => {
    const t = ctx.get();
    const email = uniqueEmail('signup');
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: {
        email: `  ${email}  `,
        password: 'a-good-password',
        full_name: 'Ann Signup',
        is_superuser: true,
        is_verified: true,
        id: '00000000-0000-0000-0000-000000000000',
      },
    });
    expect(response.statusCode).toBe(200);
    const user = response.json();
    expect(user).toMatchObject({ email, full_name: 'Ann Signup', is_active: true, is_superuser: false, is_verified: false });
    expect(user.id).not.toBe('00000000-0000-0000-0000-000000000000');
    expect(Object.keys(user).sort()).toEqual([
      'created_at',
      'email',
      'full_name',
      'id',
      'is_active',
      'is_superuser',
      'is_verified',
      'mfa_enabled',
    ]);
    expect(user.mfa_enabled).toBe(false);
    expect(user.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    expect((await t.login(email, 'a-good-password')).statusCode).toBe(200);
  });

  it('full_name is optional and nullable', async () => {
    const t = ctx.get();
    const omitted = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email: uniqueEmail(), password: 'a-good-password' },
    });
    expect(omitted.json().full_name).toBeNull();
    const explicitNull = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email: uniqueEmail(), password: 'a-good-password', full_name: null },
    });
    expect(explicitNull.statusCode).toBe(200);
    expect(explicitNull.json().full_name).toBeNull();
  });

  it('400 for an existing email in any letter case (no final period)', async () => {
    const t = ctx.get();
    const existing = await t.createUser();
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email: existing.email.toUpperCase(), password: 'a-good-password' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'The user with this email already exists in the system' });
  });

  it.each([
    ['invalid email', { email: 'not-an-email', password: 'a-good-password' }, ['body', 'email']],
    ['email without a domain dot', { email: 'ann@localhost', password: 'a-good-password' }, ['body', 'email']],
    [
      'email over 255 chars',
      { email: `${'a'.repeat(60)}@${'b'.repeat(200)}.com`, password: 'a-good-password' },
      ['body', 'email'],
    ],
    ['short password', { email: 'x@example.com', password: 'short' }, ['body', 'password']],
    ['long password', { email: 'x@example.com', password: 'p'.repeat(129) }, ['body', 'password']],
    [
      'full_name over 255',
      { email: 'x@example.com', password: 'a-good-password', full_name: 'n'.repeat(256) },
      ['body', 'full_name'],
    ],
    ['email null', { email: null, password: 'a-good-password' }, ['body', 'email']],
    ['password as number', { email: 'x@example.com', password: 12345678 }, ['body', 'password']],
    ['missing email', { password: 'a-good-password' }, ['body', 'email']],
  ])('422 for %s', async (_name, payload, loc) => {
    const t = ctx.get();
    const response = await t.request({ method: 'POST', url: '/api/v1/users/signup', payload });
    expect(response.statusCode).toBe(422);
    const issue = response.json().detail[0];
    expect(issue.loc).toEqual(loc);
    expect(typeof issue.msg).toBe('string');
    expect(typeof issue.type).toBe('string');
  });

  it('password limits count code points, not bytes or UTF-16 units', async () => {
    const t = ctx.get();
    const emoji = '😀'.repeat(128);
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email: uniqueEmail(), password: emoji },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('/users/me', () => {
  it('GET returns the caller', async () => {
    const t = ctx.get();
    const user = await t.createUser({ fullName: 'Me Myself' });
    const response = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: user.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: user.id, email: user.email, full_name: 'Me Myself' });
  });

  it('PATCH changes name and email; keeps the new spelling; ignores privileged keys', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const newEmail = uniqueEmail('Renamed');
    const response = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: user.auth,
      payload: { full_name: 'New Name', email: newEmail, is_superuser: true, is_active: false, is_verified: true },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      email: newEmail,
      full_name: 'New Name',
      is_superuser: false,
      is_active: true,
      is_verified: false,
    });
    expect((await t.login(newEmail.toLowerCase(), user.password)).statusCode).toBe(200);
  });

  it('PATCH with own email in another case is fine; with another user’s email is 409', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const other = await t.createUser();
    const own = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: user.auth,
      payload: { email: user.email.toUpperCase() },
    });
    expect(own.statusCode).toBe(200);
    expect(own.json().email).toBe(user.email.toUpperCase());
    const taken = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: user.auth,
      payload: { email: other.email },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({ detail: 'User with this email already exists' });
  });

  it('PATCH full_name null clears it; email null is 422', async () => {
    const t = ctx.get();
    const user = await t.createUser({ fullName: 'To Clear' });
    const cleared = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: user.auth,
      payload: { full_name: null },
    });
    expect(cleared.json().full_name).toBeNull();
    const nullEmail = await t.request({ method: 'PATCH', url: '/api/v1/users/me', headers: user.auth, payload: { email: null } });
    expect(nullEmail.statusCode).toBe(422);
    expect(nullEmail.json().detail[0].loc).toEqual(['body', 'email']);
  });

  it('DELETE removes the user and their items', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const item = await t.request({ method: 'POST', url: '/api/v1/items/', headers: user.auth, payload: { title: 'mine' } });
    const response = await t.request({ method: 'DELETE', url: '/api/v1/users/me', headers: user.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: 'User deleted successfully' });
    expect(await t.ctx.users.getById(user.id)).toBeNull();
    const asAdmin = await t.request({ method: 'GET', url: `/api/v1/items/${item.json().id}`, headers: await t.superuserAuth() });
    expect(asAdmin.statusCode).toBe(404);
  });

  it('DELETE is refused to a superuser', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'DELETE', url: '/api/v1/users/me', headers: await t.superuserAuth() });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ detail: 'Super users are not allowed to delete themselves' });
    expect(await t.ctx.users.getByEmail(SUPERUSER.email)).not.toBeNull();
  });
});

describe('PATCH /users/me/password', () => {
  it('changes the password', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const response = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: user.auth,
      payload: { current_password: user.password, new_password: 'the-new-password' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: 'Password updated successfully' });
    expect((await t.login(user.email, 'the-new-password')).statusCode).toBe(200);
  });

  it('400 Incorrect password is checked before sameness', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const wrong = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: user.auth,
      payload: { current_password: 'wrong-password', new_password: 'wrong-password' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ detail: 'Incorrect password' });
    const same = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: user.auth,
      payload: { current_password: user.password, new_password: user.password },
    });
    expect(same.statusCode).toBe(400);
    expect(same.json()).toEqual({ detail: 'New password cannot be the same as the current one' });
  });

  it('422 for a short new password', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const response = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: user.auth,
      payload: { current_password: user.password, new_password: 'short' },
    });
    expect(response.statusCode).toBe(422);
  });
});

describe('GET /users/{user_id}', () => {
  it('own id is always 200; others are 403 for a user, even for unknown ids', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const other = await t.createUser();
    expect((await t.request({ method: 'GET', url: `/api/v1/users/${user.id}`, headers: user.auth })).statusCode).toBe(200);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/users/${user.id.toUpperCase()}`, headers: user.auth })).statusCode,
    ).toBe(200);
    for (const id of [other.id, '3fa85f64-5717-4562-b3fc-2c963f66afa6']) {
      const response = await t.request({ method: 'GET', url: `/api/v1/users/${id}`, headers: user.auth });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ detail: "The user doesn't have enough privileges" });
    }
  });

  it('a superuser gets anyone, and 404 User not found for an unknown id', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const auth = await t.superuserAuth();
    expect((await t.request({ method: 'GET', url: `/api/v1/users/${user.id}`, headers: auth })).json().email).toBe(user.email);
    const missing = await t.request({ method: 'GET', url: '/api/v1/users/3fa85f64-5717-4562-b3fc-2c963f66afa6', headers: auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'User not found' });
  });

  it('422 for a non-UUID id', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'GET', url: '/api/v1/users/not-a-uuid', headers: await t.superuserAuth() });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc).toEqual(['path', 'user_id']);
  });
});
