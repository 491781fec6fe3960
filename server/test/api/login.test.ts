import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.js';
import { SUPERUSER, type TestApp, uniqueEmail, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();
const SECRET = new TextEncoder().encode('test-secret-key-that-is-long-enough-for-hs256');
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const resetTokenFor = (userId: string, email: string) =>
  ctx.get().ctx.oneTimeTokens.issue(ctx.get().database.handle.db, userId, 'password_reset', email);

/**
 * Runs `request` with the user deleted right after `method` of UsersService returns: the
 * moment between a route's lookup and its write, when another request deletes the account.
 */
async function deletedRightAfter<T>(
  t: TestApp,
  method: 'authenticate' | 'getByEmail',
  userId: string,
  request: () => Promise<T>,
): Promise<T> {
  const service = t.ctx.users;
  const original = service[method];
  service[method] = (async (...args: unknown[]) => {
    const result = await (original as (...a: unknown[]) => Promise<unknown>).apply(service, args);
    await t.database.handle.exec(`DELETE FROM "user" WHERE id = '${userId}'`);
    return result;
  }) as never;
  try {
    return await request();
  } finally {
    service[method] = original as never;
  }
}

describe('POST /login/access-token', () => {
  it('returns a bearer token for the right password, whatever the email case', async () => {
    const t = ctx.get();
    const user = await t.createUser({ email: uniqueEmail('Mixed') });
    const response = await t.login(user.email.toUpperCase(), user.password);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.token_type).toBe('bearer');
    expect(body.access_token.split('.')).toHaveLength(3);
    const me = await t.request({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(me.json().id).toBe(user.id);
  });

  it('answers unknown email and wrong password identically', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const wrongPassword = await t.login(user.email, 'not-the-password');
    const unknownEmail = await t.login(uniqueEmail('nobody'), 'whatever-password');
    expect(wrongPassword.statusCode).toBe(400);
    expect(wrongPassword.json()).toEqual({ detail: 'Incorrect email or password' });
    expect(unknownEmail.statusCode).toBe(400);
    expect(unknownEmail.body).toBe(wrongPassword.body);
  });

  it('refuses an inactive account with the right password as Inactive user', async () => {
    const t = ctx.get();
    const user = await t.createUser({ isActive: false });
    const response = await t.login(user.email, user.password);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Inactive user' });
    const wrong = await t.login(user.email, 'wrong-password');
    expect(wrong.json()).toEqual({ detail: 'Incorrect email or password' });
  });

  it('an account deleted while its password is checked is an incorrect login, not a 500', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const response = await deletedRightAfter(t, 'authenticate', user.id, () => t.login(user.email, user.password));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Incorrect email or password' });
  });

  it('accepts grant_type=password and the other OAuth2 fields', async () => {
    const t = ctx.get();
    const payload = new URLSearchParams({
      grant_type: 'password',
      username: SUPERUSER.email,
      password: SUPERUSER.password,
      scope: '',
      client_id: 'x',
    });
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: form,
      payload: payload.toString(),
    });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['missing password', { username: 'a@example.com' }, ['body', 'password']],
    ['missing username', { password: 'x' }, ['body', 'username']],
    ['empty password', { username: 'a@example.com', password: '' }, ['body', 'password']],
    ['bad grant_type', { username: 'a@example.com', password: 'x', grant_type: 'client_credentials' }, ['body', 'grant_type']],
  ])('422 for %s', async (_name, fields, loc) => {
    const t = ctx.get();
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: form,
      payload: new URLSearchParams(fields as Record<string, string>).toString(),
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc).toEqual(loc);
  });
});

describe('POST /login/test-token', () => {
  it('returns the caller', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const response = await t.request({ method: 'POST', url: '/api/v1/login/test-token', headers: user.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: user.id, email: user.email, is_active: true, is_superuser: false });
    expect(response.json()).not.toHaveProperty('hashed_password');
  });

  it('401 with WWW-Authenticate without a bearer header', async () => {
    const t = ctx.get();
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }]) {
      const response = await t.request({ method: 'POST', url: '/api/v1/login/test-token', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ detail: 'Not authenticated' });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('accepts the scheme in any case', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const token = user.auth.authorization.slice('Bearer '.length);
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/login/test-token',
      headers: { authorization: `bEaReR ${token}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it('403 for malformed, forged, expired, alg=none and non-UUID tokens', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setExpirationTime(now - 10)
      .sign(SECRET);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode('another-secret-key-of-enough-length!!'));
    const notUuid = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin')
      .setExpirationTime(now + 600)
      .sign(SECRET);
    const noSub = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now + 600)
      .sign(SECRET);
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(user.id)
      .setExpirationTime(now + 600)
      .sign(SECRET);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: user.id, exp: now + 600 })}.`;
    for (const token of ['garbage', 'a.b.c', expired, forged, notUuid, noSub, hs512, none]) {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/login/test-token',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode, token).toBe(403);
      expect(response.json()).toEqual({ detail: 'Could not validate credentials' });
    }
  });

  it('404 when the token user no longer exists, 400 when inactive', async () => {
    const t = ctx.get();
    const gone = await t.createUser();
    await t.ctx.users.delete(gone.id);
    const missing = await t.request({ method: 'POST', url: '/api/v1/login/test-token', headers: gone.auth });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ detail: 'User not found' });

    const inactive = await t.createUser();
    await t.ctx.users.update(inactive.id, { isActive: false });
    const refused = await t.request({ method: 'POST', url: '/api/v1/login/test-token', headers: inactive.auth });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ detail: 'Inactive user' });
  });
});

describe('password recovery', () => {
  it('takes the same path whether or not the email is registered: answered before the address is looked up', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const ghost = uniqueEmail('ghost');
    const service = t.ctx.users;
    const original = service.getByEmail;
    const looked: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    service.getByEmail = (async (email: string) => {
      looked.push(email);
      await gate;
      return original.call(service, email);
    }) as never;
    try {
      for (const email of [user.email, ghost]) {
        // Both lookups are held until released: the answers cannot have waited for them.
        const response = await t.request({ method: 'POST', url: `/api/v1/password-recovery/${encodeURIComponent(email)}` });
        expect(response.statusCode).toBe(200);
      }
      release();
      await t.ctx.accountEmails.drain();
    } finally {
      service.getByEmail = original;
    }
    expect(looked).toEqual([user.email, ghost]);
    const { rows } = await t.ctx.outbox.list(0, 100);
    expect(rows.filter((row) => row.kind === 'password_reset').map((row) => row.toAddress)).toContain(user.email);
    expect(rows.map((row) => row.toAddress)).not.toContain(ghost);
  });

  it('answers the same whether or not the email is registered', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const known = await t.request({ method: 'POST', url: `/api/v1/password-recovery/${encodeURIComponent(user.email)}` });
    const unknown = await t.request({
      method: 'POST',
      url: `/api/v1/password-recovery/${encodeURIComponent(uniqueEmail('ghost'))}`,
    });
    const notAnEmail = await t.request({ method: 'POST', url: '/api/v1/password-recovery/not-an-email' });
    for (const response of [known, unknown, notAnEmail]) {
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ message: 'If that email is registered, we sent a password recovery link' });
    }
  });

  it('an account deleted while its reset link is made gets the same answer, and its preview no 500', async () => {
    const t = ctx.get();
    const gone = await t.createUser();
    const recovery = await deletedRightAfter(t, 'getByEmail', gone.id, async () => {
      const response = await t.request({ method: 'POST', url: `/api/v1/password-recovery/${encodeURIComponent(gone.email)}` });
      await t.ctx.accountEmails.drain(); // the lookup runs after the answer
      return response;
    });
    expect(recovery.statusCode).toBe(200);
    expect(recovery.json()).toEqual({ message: 'If that email is registered, we sent a password recovery link' });
    const alsoGone = await t.createUser();
    const headers = await t.superuserAuth();
    const preview = await deletedRightAfter(t, 'getByEmail', alsoGone.id, () =>
      t.request({
        method: 'POST',
        url: `/api/v1/password-recovery-html-content/${encodeURIComponent(alsoGone.email)}`,
        headers,
      }),
    );
    // The preview issues no token and writes nothing: it shows the account as it was found.
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('preview-only-not-a-valid-token');
  });

  it('the HTML preview shows the reset email with a placeholder link that resets nothing', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const tokensBefore = await t.ctx.db.execute(sql`SELECT count(*)::int AS n FROM user_token`);
    const preview = await t.request({
      method: 'POST',
      url: `/api/v1/password-recovery-html-content/${encodeURIComponent(user.email)}`,
      headers: await t.superuserAuth(),
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.headers['content-type']).toMatch(/^text\/html/);
    const token = /http:\/\/localhost:5173\/reset-password\?token=([^"&\s<]+)/.exec(preview.body)?.[1];
    expect(token).toBe('preview-only-not-a-valid-token');
    const reset = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token: decodeURIComponent(token as string), new_password: 'a-brand-new-password' },
    });
    expect(reset.json()).toEqual({ detail: 'Invalid token' });
    expect(await t.ctx.db.execute(sql`SELECT count(*)::int AS n FROM user_token`)).toMatchObject({
      rows: (tokensBefore as unknown as { rows: unknown[] }).rows,
    });
    expect((await t.login(user.email, user.password)).statusCode).toBe(200);
  });

  it('the HTML preview is for superusers and 404s an unknown user', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const asUser = await t.request({
      method: 'POST',
      url: `/api/v1/password-recovery-html-content/${user.email}`,
      headers: user.auth,
    });
    expect(asUser.statusCode).toBe(403);
    expect(asUser.json()).toEqual({ detail: "The user doesn't have enough privileges" });
    const unknown = await t.request({
      method: 'POST',
      url: `/api/v1/password-recovery-html-content/${uniqueEmail('ghost')}`,
      headers: await t.superuserAuth(),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ detail: 'The user with this username does not exist in the system.' });
  });

  it('400 Invalid token for garbage, an access token, or a token for a deleted user', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const accessToken = user.auth.authorization.slice(7);
    const gone = await t.createUser();
    const resetForGone = await resetTokenFor(gone.id, gone.email);
    await t.ctx.users.delete(gone.id);
    for (const token of ['garbage', accessToken, resetForGone]) {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/reset-password/',
        payload: { token, new_password: 'another-password' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ detail: 'Invalid token' });
    }
  });

  it('a reset token is not an access token', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const resetToken = await resetTokenFor(user.id, user.email);
    const response = await t.request({
      method: 'GET',
      url: '/api/v1/users/me',
      headers: { authorization: `Bearer ${resetToken}` },
    });
    expect(response.statusCode).toBe(403);
  });

  it('400 Inactive user for an inactive account, 422 for a short password', async () => {
    const t = ctx.get();
    const user = await t.createUser({ isActive: false });
    const token = await resetTokenFor(user.id, user.email);
    const inactive = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token, new_password: 'long-enough-password' },
    });
    expect(inactive.statusCode).toBe(400);
    expect(inactive.json()).toEqual({ detail: 'Inactive user' });
    const short = await t.request({ method: 'POST', url: '/api/v1/reset-password/', payload: { token, new_password: 'short' } });
    expect(short.statusCode).toBe(422);
    expect(short.json().detail[0].loc).toEqual(['body', 'new_password']);
  });
});

describe('stored hashes from the FastAPI template', () => {
  const fixtures: { hashes: { library: string; password: string; hash: string }[] } = JSON.parse(
    readFileSync(new URL('../fixtures/foreign-hashes.json', import.meta.url), 'utf8'),
  );

  it.each(fixtures.hashes.map((f) => [f.library, f] as const))(
    'logs in with a hash made by %s and re-hashes it',
    async (_library, fixture) => {
      const t = ctx.get();
      const user = await t.createUser();
      await t.database.handle.db.update(users).set({ hashedPassword: fixture.hash }).where(eq(users.id, user.id));
      const response = await t.login(user.email, fixture.password);
      expect(response.statusCode).toBe(200);
      const stored = await t.ctx.users.getById(user.id);
      expect(stored?.hashedPassword).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect((await t.login(user.email, fixture.password)).statusCode).toBe(200);
    },
  );

  it('a malformed stored hash is a failed login, not a crash', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    await t.database.handle.db.update(users).set({ hashedPassword: '$argon2id$broken' }).where(eq(users.id, user.id));
    const response = await t.login(user.email, user.password);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Incorrect email or password' });
  });
});
