import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/utils/clock.js';
import { startTestApp, type TestApp, uniqueEmail } from '../helpers/app.js';
import { startSmtpServer, type TestSmtpServer, tokenFromMail } from '../helpers/smtp.js';

let smtp: TestSmtpServer;
let t: TestApp;
const clock = new ManualClock();

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ env: smtp.env(), clock, emailWorker: { pollMs: 50, retryBaseMs: 50 } });
});
afterAll(async () => {
  await t.app.close();
  await t.database.drop();
  await smtp.stop();
});

/** Runs `action`, then returns the first `count` mails to `address` that arrived after it started. */
async function mailsTo(address: string, count: number, action: () => Promise<unknown>) {
  const earlier = smtp.received.filter((m) => m.to.includes(address)).length;
  await action();
  return (await smtp.waitForMailTo(address, earlier + count)).slice(earlier);
}

async function signup(email = uniqueEmail('flow'), password = 'signup-password') {
  const [mail] = await mailsTo(email, 1, async () => {
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email, password, full_name: 'Flow' },
    });
    expect(response.statusCode).toBe(200);
  });
  return { email, password, mail, auth: await t.authFor(email, password) };
}

const verify = (token: string) => t.request({ method: 'POST', url: '/api/v1/users/verify-email', payload: { token } });
const reset = (token: string, newPassword = 'a-new-password-1') =>
  t.request({ method: 'POST', url: '/api/v1/reset-password/', payload: { token, new_password: newPassword } });
const me = async (auth: Record<string, string>) =>
  (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: auth })).json();

async function recoveryToken(email: string): Promise<string> {
  const [mail] = await mailsTo(email, 1, () =>
    t.request({ method: 'POST', url: `/api/v1/password-recovery/${encodeURIComponent(email)}` }),
  );
  return tokenFromMail(mail, '/reset-password');
}

describe('single-use password reset', () => {
  it('a reset link works once', async () => {
    const user = await t.createUser();
    const token = await recoveryToken(user.email);
    expect((await reset(token, 'first-new-password')).statusCode).toBe(200);
    const again = await reset(token, 'second-new-password');
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ detail: 'Invalid token' });
    expect((await t.login(user.email, 'first-new-password')).statusCode).toBe(200);
  });

  it('is stored only as a hash', async () => {
    const user = await t.createUser();
    const token = await recoveryToken(user.email);
    const { sql } = await import('drizzle-orm');
    const rows = await t.database.handle.db.execute(sql`SELECT token_hash FROM user_token WHERE user_id = ${user.id}`);
    const stored = JSON.stringify((rows as unknown as { rows: unknown[] }).rows);
    expect(stored).not.toContain(token);
    expect(stored).toMatch(/[0-9a-f]{64}/);
  });

  it('expires after EMAIL_RESET_TOKEN_EXPIRE_HOURS', async () => {
    const user = await t.createUser();
    const token = await recoveryToken(user.email);
    clock.advance(48 * 3600 + 1);
    expect((await reset(token)).json()).toEqual({ detail: 'Invalid token' });
  });

  it('stops working when the password changes by another route', async () => {
    const user = await t.createUser();
    const viaSelf = await recoveryToken(user.email);
    // Each change mails its notice; wait for it, so that the next recovery mail is told apart.
    await mailsTo(user.email, 1, () =>
      t.request({
        method: 'PATCH',
        url: '/api/v1/users/me/password',
        headers: user.auth,
        payload: { current_password: user.password, new_password: 'changed-by-self' },
      }),
    );
    expect((await reset(viaSelf)).statusCode).toBe(400);

    const viaAdmin = await recoveryToken(user.email);
    await mailsTo(user.email, 1, async () =>
      t.request({
        method: 'PATCH',
        url: `/api/v1/users/${user.id}`,
        headers: await t.superuserAuth(),
        payload: { password: 'changed-by-admin' },
      }),
    );
    expect((await reset(viaAdmin)).statusCode).toBe(400);

    const first = await recoveryToken(user.email);
    const second = await recoveryToken(user.email);
    expect((await reset(second)).statusCode).toBe(200);
    expect((await reset(first)).statusCode).toBe(400);
  });

  it('an inactive account keeps its link unspent', async () => {
    const user = await t.createUser();
    const token = await recoveryToken(user.email);
    await t.ctx.users.update(user.id, { isActive: false });
    expect((await reset(token)).json()).toEqual({ detail: 'Inactive user' });
    await t.ctx.users.update(user.id, { isActive: true });
    expect((await reset(token)).statusCode).toBe(200);
  });

  it('the superuser HTML preview sends nothing and its link is a placeholder', async () => {
    const user = await t.createUser();
    const preview = await t.request({
      method: 'POST',
      url: `/api/v1/password-recovery-html-content/${user.email}`,
      headers: await t.superuserAuth(),
    });
    const token = /reset-password\?token=([^"&<\s]+)/.exec(preview.body)?.[1] as string;
    expect((await reset(decodeURIComponent(token))).statusCode).toBe(400);
    // The preview itself sent nothing.
    expect(smtp.received.filter((mail) => mail.to.includes(user.email))).toHaveLength(0);
  });
});

describe('email verification', () => {
  it('sign-up mails a link that verifies the address, once', async () => {
    const user = await signup();
    expect(user.mail?.subject).toBe(`Roster Test - Verify your email ${user.email}`);
    expect(user.mail?.to).toEqual([user.email]);
    expect((await me(user.auth)).is_verified).toBe(false);
    const token = tokenFromMail(user.mail, '/verify-email');
    const response = await verify(token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: 'Email verified successfully' });
    expect((await me(user.auth)).is_verified).toBe(true);
    expect((await verify(token)).json()).toEqual({ detail: 'Invalid token' });
  });

  it('rejects garbage and expired tokens', async () => {
    expect((await verify('garbage')).statusCode).toBe(400);
    const user = await signup();
    clock.advance(48 * 3600 + 1);
    expect((await verify(tokenFromMail(user.mail, '/verify-email'))).statusCode).toBe(400);
    expect((await me(user.auth)).is_verified).toBe(false);
  });

  it('resending is limited to one a minute per user, with Retry-After', async () => {
    const user = await signup();
    const tooSoon = await t.request({ method: 'POST', url: '/api/v1/users/me/verification-email', headers: user.auth });
    expect(tooSoon.statusCode).toBe(429);
    expect(Number(tooSoon.headers['retry-after'])).toBeGreaterThan(0);
    expect(tooSoon.json().detail).toBeTypeOf('string');
    clock.advance(61);
    const [mail] = await mailsTo(user.email, 1, async () => {
      const sent = await t.request({ method: 'POST', url: '/api/v1/users/me/verification-email', headers: user.auth });
      expect(sent.statusCode).toBe(200);
      expect(sent.json()).toEqual({ message: 'Verification email sent' });
    });
    expect((await verify(tokenFromMail(mail, '/verify-email'))).statusCode).toBe(200);
    const already = await t.request({ method: 'POST', url: '/api/v1/users/me/verification-email', headers: user.auth });
    expect(already.statusCode).toBe(400);
    expect(already.json()).toEqual({ detail: 'Email already verified' });
  });

  it('concurrent resends send one mail', async () => {
    const user = await signup();
    clock.advance(61);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.request({ method: 'POST', url: '/api/v1/users/me/verification-email', headers: user.auth }),
      ),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 429, 429, 429, 429]);
  });

  it('changing one’s email unverifies it, verifies the new one and tells the old one', async () => {
    const user = await signup();
    await verify(tokenFromMail(user.mail, '/verify-email'));
    const oldLinkUser = await signup();
    const newEmail = uniqueEmail('moved');
    const [toNew] = await mailsTo(newEmail, 1, async () => {
      const response = await t.request({
        method: 'PATCH',
        url: '/api/v1/users/me',
        headers: user.auth,
        payload: { email: newEmail },
      });
      expect(response.json()).toMatchObject({ email: newEmail, is_verified: false });
    });
    const toOld = (await smtp.waitForMailTo(user.email, 2))[1];
    expect(toOld?.subject).toBe('Roster Test - Your email address was changed');
    expect(toOld?.text).toContain(newEmail);
    expect((await verify(tokenFromMail(toNew, '/verify-email'))).statusCode).toBe(200);
    expect((await me(user.auth)).is_verified).toBe(true);

    // A link sent to an address the account no longer has does not verify the new one.
    await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: oldLinkUser.auth,
      payload: { email: uniqueEmail('again') },
    });
    expect((await verify(tokenFromMail(oldLinkUser.mail, '/verify-email'))).statusCode).toBe(400);
  });

  it('a change of letter case alone keeps the address verified and sends nothing', async () => {
    const user = await signup();
    await verify(tokenFromMail(user.mail, '/verify-email'));
    const response = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: user.auth,
      payload: { email: user.email.toUpperCase() },
    });
    expect(response.json().is_verified).toBe(true);
    const { sql } = await import('drizzle-orm');
    const queued = await t.database.handle.db.execute(
      sql`SELECT count(*)::int AS n FROM email_outbox WHERE lower(to_address) = lower(${user.email})`,
    );
    expect((queued as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(1);
  });

  it('admin create sends the welcome with a verification link; superusers can set is_verified', async () => {
    const email = uniqueEmail('admin-made');
    const auth = await t.superuserAuth();
    const [mail] = await mailsTo(email, 1, () =>
      t.request({ method: 'POST', url: '/api/v1/users/', headers: auth, payload: { email, password: 'admin-made-pw' } }),
    );
    expect(mail?.subject).toBe(`Roster Test - New account for user ${email}`);
    expect((await verify(tokenFromMail(mail, '/verify-email'))).statusCode).toBe(200);
    const user = await t.createUser();
    const patched = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: await t.superuserAuth(),
      payload: { is_verified: true },
    });
    expect(patched.json().is_verified).toBe(true);
  });
});

describe('REQUIRE_VERIFIED_LOGIN=true', () => {
  it('refuses unverified accounts with 400 Email not verified, after the password check', async () => {
    const strict = await startTestApp({ env: { ...smtp.env(), REQUIRE_VERIFIED_LOGIN: 'true' }, emailWorker: false });
    try {
      const user = await strict.createUser();
      expect((await strict.login(user.email, 'wrong-password')).json()).toEqual({ detail: 'Incorrect email or password' });
      const refused = await strict.login(user.email, user.password);
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({ detail: 'Email not verified' });
      await strict.ctx.users.update(user.id, { isVerified: true });
      expect((await strict.login(user.email, user.password)).statusCode).toBe(200);
    } finally {
      await strict.app.close();
      await strict.database.drop();
    }
  });
});
