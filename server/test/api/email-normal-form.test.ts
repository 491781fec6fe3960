/**
 * One normal form for email addresses (src/users/email-address.ts): every spelling
 * of an address is one account, one set of limits and one lockout; an address in a
 * different IDNA domain is a different account; the address is still returned as
 * its owner typed it.
 */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { Messages } from '../../src/errors.js';
import { ManualClock } from '../../src/utils/clock.js';
import type { TestApp } from '../helpers/app.js';
import { useTestApp } from '../helpers/app.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

function loginFrom(t: TestApp, ip: string, username: string, password: string) {
  return t.request({
    method: 'POST',
    url: '/api/v1/login/access-token',
    remoteAddress: ip,
    headers: form,
    payload: new URLSearchParams({ username, password }).toString(),
  });
}

function signup(t: TestApp, email: string, password: string) {
  return t.request({ method: 'POST', url: '/api/v1/users/signup', payload: { email, password } });
}

/** The id of the account a login enters, or the refusal. */
async function accountEntered(t: TestApp, username: string, password: string): Promise<string> {
  const login = await t.login(username, password);
  if (login.statusCode !== 200) return `refused ${login.statusCode}`;
  const me = await t.request({
    method: 'GET',
    url: '/api/v1/users/me',
    headers: { authorization: `Bearer ${login.json().access_token}` },
  });
  return me.json().id;
}

describe('limits and lockout count every spelling of an address as one', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const app = useTestApp({
    clock,
    env: {
      RATE_LIMIT_ENABLED: 'true',
      TRUST_PROXY: 'false',
      LOGIN_LOCK_AFTER_FAILURES: '3',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '4/1m',
      RATE_LIMIT_RECOVERY_PER_EMAIL: '2/1h',
    },
  });

  it('wİlliam@… shares the per-client lockout with william@…', async () => {
    const t = app.get();
    const owner = await t.createUser({ email: 'william@lockout.example.com' });
    const ip = '198.51.100.7';
    for (const spelling of ['wİlliam@lockout.example.com', 'william@lockout.example.com', 'WİLLIAM@Lockout.Example.com']) {
      expect((await loginFrom(t, ip, spelling, 'wrong-password')).json()).toEqual({ detail: Messages.incorrectLogin });
    }
    // Three failures, whatever the spelling, lock this client out of the account: even the right password waits.
    const locked = await loginFrom(t, ip, owner.email, owner.password);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().detail).toMatch(/^Too many failed login attempts/);
    clock.advance(3600);
  });

  it('wİlliam@… shares the per-account login limit with william@…', async () => {
    const t = app.get();
    const owner = await t.createUser({ email: 'william@limit.example.com' });
    const spellings = [
      'wİlliam@limit.example.com',
      'ＷＩＬＬＩＡＭ@limit.example.com',
      'william@LIMIT.example.com',
      'wi\u0307lliam@limit.example.com',
    ];
    for (const [i, spelling] of spellings.entries()) {
      expect((await loginFrom(t, `203.0.113.${i + 1}`, spelling, 'wrong-password')).statusCode).toBe(400);
    }
    const limited = await loginFrom(t, '203.0.113.50', owner.email, owner.password);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().detail).toMatch(/^Too many requests/);
    clock.advance(3600);
  });

  it('password recovery counts every spelling against one per-address limit', async () => {
    const t = app.get();
    await t.createUser({ email: 'william@recovery.example.com' });
    const recover = (spelling: string) =>
      t.request({ method: 'POST', url: `/api/v1/password-recovery/${encodeURIComponent(spelling)}` });
    expect((await recover('william@recovery.example.com')).statusCode).toBe(200);
    expect((await recover('wİlliam@recovery.example.com')).statusCode).toBe(200);
    expect((await recover('ＷＩＬＬＩＡＭ@recovery.example.com')).statusCode).toBe(429);
    clock.advance(3600);
  });
});

describe('one account per address, compared by normal form', () => {
  const app = useTestApp();

  it('kim@gmaİl.com (another IDNA domain) cannot squat kim@gmail.com', async () => {
    const t = app.get();
    const squatter = await signup(t, 'kim@gmaİl.com', 'squatter-password');
    expect(squatter.statusCode).toBe(200);
    // The real owner still gets the address, spelled as they typed it.
    const owner = await signup(t, 'Kim@GMAIL.com', 'owner-password-1');
    expect(owner.statusCode, owner.body).toBe(200);
    expect(owner.json().email).toBe('Kim@GMAIL.com');
    expect(squatter.json().email).toBe('kim@gmaİl.com');

    expect(await accountEntered(t, 'kim@gmail.com', 'owner-password-1')).toBe(owner.json().id);
    expect(await accountEntered(t, 'kim@gmail.com', 'squatter-password')).toBe('refused 400');
    expect(await accountEntered(t, 'KIM@ＧＭＡＩＬ.com', 'owner-password-1')).toBe(owner.json().id);
    expect(await accountEntered(t, 'kim@gmaİl.com', 'squatter-password')).toBe(squatter.json().id);
    expect(await accountEntered(t, 'kim@xn--gmail-bgd.com', 'squatter-password')).toBe(squatter.json().id);
  });

  it('a look-alike of an existing address is a duplicate on every route that sets an address', async () => {
    const t = app.get();
    const owner = await t.createUser({ email: 'william@dup.example.com' });
    const other = await t.createUser();
    const admin = await t.superuserAuth();
    const lookAlikes = [
      'wİlliam@dup.example.com',
      'ＷＩＬＬＩＡＭ@dup.example.com',
      'william@ＤＵＰ.example.com',
      ' William@DUP.Example.COM ',
    ];
    for (const email of lookAlikes) {
      const password = 'look-alike-password';
      const bySignup = await signup(t, email, password);
      expect(bySignup.json(), email).toEqual({ detail: Messages.signupDuplicateEmail });
      expect(bySignup.statusCode).toBe(400);
      const byAdmin = await t.request({ method: 'POST', url: '/api/v1/users/', headers: admin, payload: { email, password } });
      expect([byAdmin.statusCode, byAdmin.json()], email).toEqual([400, { detail: Messages.adminDuplicateEmail }]);
      const byPrivate = await t.request({
        method: 'POST',
        url: '/api/v1/private/users/',
        payload: { email, password, full_name: 'Look Alike' },
      });
      expect([byPrivate.statusCode, byPrivate.json()], email).toEqual([409, { detail: Messages.emailTaken }]);
      const bySelf = await t.request({ method: 'PATCH', url: '/api/v1/users/me', headers: other.auth, payload: { email } });
      expect([bySelf.statusCode, bySelf.json()], email).toEqual([409, { detail: Messages.emailTaken }]);
      const byAdminUpdate = await t.request({
        method: 'PATCH',
        url: `/api/v1/users/${other.id}`,
        headers: admin,
        payload: { email },
      });
      expect([byAdminUpdate.statusCode, byAdminUpdate.json()], email).toEqual([409, { detail: Messages.emailTaken }]);
      // Any spelling logs in to the one account, and only with its password.
      expect(await accountEntered(t, email, owner.password)).toBe(owner.id);
      expect(await accountEntered(t, email, password)).toBe('refused 400');
    }
  });

  it('the owner may respell their own address; the account keeps its verification', async () => {
    const t = app.get();
    const owner = await t.createUser({ email: 'respell@example.com' });
    const admin = await t.superuserAuth();
    await t.request({ method: 'PATCH', url: `/api/v1/users/${owner.id}`, headers: admin, payload: { is_verified: true } });
    const respelled = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: owner.auth,
      payload: { email: 'RESPELL@ｅxample.com' },
    });
    expect(respelled.statusCode, respelled.body).toBe(200);
    expect(respelled.json()).toMatchObject({ email: 'RESPELL@ｅxample.com', is_verified: true });
    expect(await accountEntered(t, 'respell@example.com', owner.password)).toBe(owner.id);
  });

  it('password recovery for a look-alike spelling mails the owner at the address they typed', async () => {
    const t = app.get();
    await t.createUser({ email: 'Recover.Me@example.com' });
    const response = await t.request({
      method: 'POST',
      url: `/api/v1/password-recovery/${encodeURIComponent('ＲＥＣＯＶＥＲ.ｍe@EXAMPLE.com')}`,
    });
    expect(response.statusCode).toBe(200);
    await t.ctx.accountEmails.drain(); // answered before the lookup
    const mailbox = await t.request({ method: 'GET', url: '/api/v1/private/emails/' });
    const resets = mailbox.json().data.filter((mail: { kind: string }) => mail.kind === 'password_reset');
    expect(resets.map((mail: { to: string }) => mail.to)).toEqual(['Recover.Me@example.com']);
  });

  it('the superuser preview and lookup find the account by any spelling', async () => {
    const t = app.get();
    await t.createUser({ email: 'preview@example.com' });
    const preview = await t.request({
      method: 'POST',
      url: `/api/v1/password-recovery-html-content/${encodeURIComponent('ＰＲＥＶİＥＷ@example.com')}`,
      headers: await t.superuserAuth(),
    });
    expect(preview.statusCode).toBe(200);
  });

  it('concurrent sign-ups of two spellings of one address: one 200, one duplicate error', async () => {
    const t = app.get();
    const responses = await Promise.all([
      signup(t, 'race@example.com', 'race-password-1'),
      signup(t, 'ＲＡＣＥ@example.com', 'race-password-2'),
      signup(t, 'racE@EXAMPLE.com', 'race-password-3'),
    ]);
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 400, 400]);
    for (const refused of responses.filter((r) => r.statusCode === 400)) {
      expect(refused.json()).toEqual({ detail: Messages.signupDuplicateEmail });
    }
    const stored = await t.database.handle.db.execute<{ id: string }>(
      sql`SELECT id FROM "user" WHERE email_normalized = 'race@example.com'`,
    );
    const winner = responses.find((r) => r.statusCode === 200);
    expect((stored as unknown as { rows: { id: string }[] }).rows).toEqual([{ id: winner?.json().id }]);
  });
});
