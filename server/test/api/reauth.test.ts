/**
 * Re-authentication for what takes over an account (issue 11, parts 4 and 5), and
 * the audit events anyone can cause in bulk (part 10). Mail goes to the local dev
 * mailbox (ENVIRONMENT=local without SMTP), read from the outbox table.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, users, userTokens } from '../../src/db/schema.js';
import { ManualClock } from '../../src/utils/clock.js';
import { type TestApp, uniqueEmail, useTestApp } from '../helpers/app.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const CONFIRM = { detail: 'Confirm your password to change your email' };

function loginFrom(t: TestApp, ip: string, username: string, password: string) {
  return t.request({
    method: 'POST',
    url: '/api/v1/login/access-token',
    remoteAddress: ip,
    headers: form,
    payload: new URLSearchParams({ username, password }).toString(),
  });
}

/** A user signed in with their password, as the web app does it. */
async function signedIn(t: TestApp, ip = '127.0.0.1') {
  const user = await t.createUser();
  const response = await loginFrom(t, ip, user.email, user.password);
  expect(response.statusCode).toBe(200);
  const body = response.json();
  return { ...user, auth: { authorization: `Bearer ${body.access_token}` }, refreshToken: body.refresh_token as string };
}

const patchMe = (t: TestApp, auth: Record<string, string>, payload: Record<string, unknown>, ip = '127.0.0.1') =>
  t.request({ method: 'PATCH', url: '/api/v1/users/me', headers: auth, payload, remoteAddress: ip });
const changePassword = (t: TestApp, auth: Record<string, string>, current: string, next: string, ip = '127.0.0.1') =>
  t.request({
    method: 'PATCH',
    url: '/api/v1/users/me/password',
    headers: auth,
    payload: { current_password: current, new_password: next },
    remoteAddress: ip,
  });
const getMe = (t: TestApp, auth: Record<string, string>) => t.request({ method: 'GET', url: '/api/v1/users/me', headers: auth });
const restore = (t: TestApp, token: string) =>
  t.request({ method: 'POST', url: '/api/v1/users/restore-email', payload: { token } });

async function mailsTo(t: TestApp, address: string, kind: string) {
  return t.ctx.db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.toAddress, address), eq(emailOutbox.kind, kind)))
    .orderBy(desc(emailOutbox.createdAt));
}

async function restoreToken(t: TestApp, oldEmail: string): Promise<string> {
  const [mail] = await mailsTo(t, oldEmail, 'email_changed');
  const token = /restore-email\?token=([^"&<\s]+)/.exec(mail?.html ?? '')?.[1];
  if (!token) throw new Error('no restore link in the notice');
  expect(mail?.text).toContain(`/restore-email?token=${token}`);
  return decodeURIComponent(token);
}

async function eventsOf(t: TestApp, type: string, targetId?: string) {
  return t.ctx.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.type, type), targetId ? eq(auditEvents.targetId, targetId) : undefined));
}

function expectLocked(response: LightMyRequestResponse) {
  expect(response.statusCode).toBe(429);
  expect(response.json().detail).toMatch(/^Too many failed login attempts; try again in \d+ seconds?$/);
}

describe('changing one’s email needs a recent sign-in', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const app = useTestApp({ clock });

  it('is allowed right after a password login, refused 403 once REAUTH_WINDOW_MINUTES (10) have passed', async () => {
    const t = app.get();
    const user = await signedIn(t);
    clock.advance(9 * 60);
    const first = await patchMe(t, user.auth, { email: uniqueEmail('moved') });
    expect(first.statusCode).toBe(200);

    clock.advance(2 * 60);
    const later = await patchMe(t, user.auth, { email: uniqueEmail('moved-again') });
    expect(later.statusCode).toBe(403);
    expect(later.json()).toEqual(CONFIRM);
    expect((await getMe(t, user.auth)).json().email).toBe(first.json().email);
    // Not the name: only what can take over the account asks for the password.
    expect((await patchMe(t, user.auth, { full_name: 'Renamed' })).statusCode).toBe(200);
    // The own address in another letter case is not a new address.
    expect((await patchMe(t, user.auth, { email: first.json().email.toUpperCase() })).statusCode).toBe(200);
    // Nor is another spelling with the same normal form (a full-width letter).
    const fullWidth = first.json().email.replace(/^m/i, '\uff4d');
    expect(fullWidth).not.toBe(first.json().email);
    expect((await patchMe(t, user.auth, { email: fullWidth })).statusCode).toBe(200);
    expect((await getMe(t, user.auth)).statusCode).toBe(200);
    const [refused] = await eventsOf(t, 'reauth.failed', user.id);
    expect(refused?.details).toEqual({ action: 'email_change', reason: 'not_recent' });
  });

  it('a refresh does not renew it', async () => {
    const t = app.get();
    const user = await signedIn(t);
    clock.advance(11 * 60);
    const refreshed = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      payload: { refresh_token: user.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    const auth = { authorization: `Bearer ${refreshed.json().access_token}` };
    const response = await patchMe(t, auth, { email: uniqueEmail('stolen') });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual(CONFIRM);
  });

  it('the current password in the request is enough; a wrong one is 400 Incorrect password and audited', async () => {
    const t = app.get();
    const user = await signedIn(t);
    clock.advance(3600);
    const wrong = await patchMe(t, user.auth, { email: uniqueEmail('x'), current_password: 'not-the-password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ detail: 'Incorrect password' });
    const [failed] = await eventsOf(t, 'reauth.failed', user.id);
    expect(failed?.details).toEqual({ action: 'email_change', reason: 'wrong_password' });
    expect(JSON.stringify(failed)).not.toContain('not-the-password');

    const email = uniqueEmail('confirmed');
    const right = await patchMe(t, user.auth, { email, current_password: user.password });
    expect(right.statusCode).toBe(200);
    expect(right.json().email).toBe(email);
  });

  it('the change ends every other session and keeps the one it was made from', async () => {
    const t = app.get();
    const user = await signedIn(t);
    const other = { authorization: `Bearer ${(await loginFrom(t, '127.0.0.1', user.email, user.password)).json().access_token}` };
    expect((await patchMe(t, user.auth, { email: uniqueEmail('moved') })).statusCode).toBe(200);
    expect((await getMe(t, user.auth)).statusCode).toBe(200);
    expect((await getMe(t, other)).statusCode).toBe(403);
  });

  it('the old address gets a link that restores it and ends every session: single-use, stored as a hash', async () => {
    const t = app.get();
    const user = await signedIn(t);
    const intruder = uniqueEmail('intruder');
    expect((await patchMe(t, user.auth, { email: intruder })).statusCode).toBe(200);
    // An intruder moving it on cannot stop the first link, nor use the one sent to their own address.
    expect((await patchMe(t, user.auth, { email: uniqueEmail('further') })).statusCode).toBe(200);
    const token = await restoreToken(t, user.email);
    const intrudersToken = await restoreToken(t, intruder);

    const stored = await t.ctx.db.select().from(userTokens).where(eq(userTokens.userId, user.id));
    expect(JSON.stringify(stored)).not.toContain(token);

    const response = await restore(t, token);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: 'Email address restored; every session was signed out' });
    expect((await getMe(t, user.auth)).statusCode).toBe(403);
    const back = await t.ctx.users.getById(user.id);
    expect(back?.email).toBe(user.email);
    expect(back?.isVerified).toBe(true);
    expect((await loginFrom(t, '127.0.0.1', user.email, user.password)).statusCode).toBe(200);

    expect((await restore(t, token)).json()).toEqual({ detail: 'Invalid token' });
    expect((await restore(t, intrudersToken)).statusCode).toBe(400);
    const [event] = await eventsOf(t, 'email.restored', user.id);
    expect(event?.details).toMatchObject({ to: user.email });
  });

  it('the restore link is valid for 7 days', async () => {
    const t = app.get();
    const user = await signedIn(t);
    expect((await patchMe(t, user.auth, { email: uniqueEmail('moved') })).statusCode).toBe(200);
    const token = await restoreToken(t, user.email);
    clock.advance(7 * 86400 + 1);
    expect((await restore(t, token)).json()).toEqual({ detail: 'Invalid token' });
  });

  it('a restore to an address taken meanwhile is 409 and leaves the link unspent', async () => {
    const t = app.get();
    const user = await signedIn(t);
    const moved = uniqueEmail('moved');
    expect((await patchMe(t, user.auth, { email: moved })).statusCode).toBe(200);
    const token = await restoreToken(t, user.email);
    const squatter = await t.ctx.users.create({ email: user.email, password: 'squatter-password' });
    const taken = await restore(t, token);
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toEqual({ detail: 'User with this email already exists' });
    await t.ctx.users.delete(squatter.id);
    expect((await restore(t, token)).statusCode).toBe(200);
  });

  it('a password change or reset mails the owner', async () => {
    const t = app.get();
    const user = await signedIn(t);
    expect((await changePassword(t, user.auth, user.password, 'a-brand-new-password')).statusCode).toBe(200);
    expect(await mailsTo(t, user.email, 'password_changed')).toHaveLength(1);

    await t.request({ method: 'POST', url: `/api/v1/password-recovery/${encodeURIComponent(user.email)}` });
    await t.ctx.accountEmails.drain(); // answered before the lookup: wait for the mail to be queued
    const [recovery] = await mailsTo(t, user.email, 'password_reset');
    const token = decodeURIComponent(/reset-password\?token=([^"&<\s]+)/.exec(recovery?.html ?? '')?.[1] ?? '');
    const reset = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token, new_password: 'another-new-password' },
    });
    expect(reset.statusCode).toBe(200);
    const notices = await mailsTo(t, user.email, 'password_changed');
    expect(notices).toHaveLength(2);
    expect(notices[0]?.subject).toBe('Roster Test - Your password was changed');
    expect(notices[0]?.text).not.toContain('another-new-password');
  });
});

describe('REAUTH_WINDOW_MINUTES=0', () => {
  const app = useTestApp({ env: { REAUTH_WINDOW_MINUTES: '0' } });

  it('always asks for the password', async () => {
    const t = app.get();
    const user = await signedIn(t);
    expect((await patchMe(t, user.auth, { email: uniqueEmail('x') })).json()).toEqual(CONFIRM);
    expect((await patchMe(t, user.auth, { email: uniqueEmail('x'), current_password: user.password })).statusCode).toBe(200);
  });
});

describe('the current password on the change routes counts like a login', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const app = useTestApp({
    clock,
    env: {
      LOGIN_LOCK_AFTER_FAILURES: '5',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_PER_IP: '30/1m',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '10/1m',
      TRUST_PROXY: 'false',
    },
  });

  it('wrong current passwords lock the address out of the account, login included, each failure audited', async () => {
    const t = app.get();
    const user = await signedIn(t, '203.0.113.1');
    for (let i = 0; i < 5; i++) {
      const response = await changePassword(t, user.auth, `wrong-password-${i}`, 'next-password-1', '203.0.113.1');
      expect(response.json()).toEqual({ detail: 'Incorrect password' });
    }
    // The lock holds against the right password, here and at login, from that address only.
    expectLocked(await changePassword(t, user.auth, user.password, 'next-password-1', '203.0.113.1'));
    expectLocked(await patchMe(t, user.auth, { email: uniqueEmail('x'), current_password: user.password }, '203.0.113.1'));
    expectLocked(await loginFrom(t, '203.0.113.1', user.email, user.password));
    expect((await loginFrom(t, '203.0.113.2', user.email, user.password)).statusCode).toBe(200);

    const failures = await eventsOf(t, 'reauth.failed', user.id);
    expect(failures).toHaveLength(5);
    expect(failures[0]?.details).toEqual({ action: 'password_change', reason: 'wrong_password' });
    const [locked] = await eventsOf(t, 'reauth.locked', user.id);
    expect(locked?.details).toMatchObject({ action: 'password_change', scope: 'account-ip', failures: 5 });
    expect(locked?.ip).toBe('203.0.113.1');
  });

  it('a wrong current password on an email change counts too', async () => {
    const t = app.get();
    const user = await signedIn(t, '203.0.113.10');
    for (let i = 0; i < 5; i++) {
      const response = await patchMe(
        t,
        user.auth,
        { email: uniqueEmail('x'), current_password: `wrong-${i}-password` },
        '203.0.113.10',
      );
      expect(response.statusCode).toBe(400);
    }
    expectLocked(await loginFrom(t, '203.0.113.10', user.email, user.password));
  });

  it('cannot make Roster hash without limit: the login limits apply per address', async () => {
    const t = app.get();
    const user = await signedIn(t, '203.0.113.20');
    const hashes = { count: 0 };
    const verify = t.ctx.users.passwordMatches.bind(t.ctx.users);
    t.ctx.users.passwordMatches = async (...args) => {
      hashes.count++;
      return verify(...args);
    };
    try {
      let refused = 0;
      for (let i = 0; i < 40; i++) {
        // The right password, so no lock gets in the way: only the limit stops the hashing.
        const response = await changePassword(t, user.auth, user.password, user.password, '203.0.113.20');
        if (response.statusCode === 429) refused++;
        else expect(response.json()).toEqual({ detail: 'New password cannot be the same as the current one' });
      }
      expect(refused).toBe(40 - 29);
      // 29: the login that signed in spent one of the address's 30 a minute.
      expect(hashes.count).toBe(29);
    } finally {
      t.ctx.users.passwordMatches = verify;
    }
  });
});

describe('a lock cannot be turned on the owner', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  // Today's defaults: 30 a minute per address, 10 a minute per account, pair lock after 5 failures.
  const app = useTestApp({
    clock,
    env: {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_PER_IP: '30/1m',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '10/1m',
      LOGIN_LOCK_AFTER_FAILURES: '5',
      LOGIN_ACCOUNT_LOCK_AFTER_FAILURES: '50',
      TRUST_PROXY: 'false',
    },
  });

  it('an address sending 11 wrong passwords a minute does not keep the owner out from a new address', async () => {
    const t = app.get();
    const owner = await t.createUser();
    for (let minute = 0; minute < 5; minute++) {
      for (let i = 0; i < 11; i++) {
        const response = await loginFrom(t, '198.51.100.66', owner.email, 'guessing-wrong');
        expect([400, 429]).toContain(response.statusCode);
        clock.advance(5);
      }
      // The owner, from an address never used before, at the end of each minute of the attack.
      const ownerLogin = await loginFrom(t, `192.0.2.${minute + 1}`, owner.email, owner.password);
      expect(ownerLogin.statusCode).toBe(200);
    }
  });
});

describe('username length', () => {
  const app = useTestApp({ env: { LOGIN_LOCK_AFTER_FAILURES: '2' } });

  it('is capped at 320 characters (422), and the lock audit holds at most that', async () => {
    const t = app.get();
    const tooLong = `${'a'.repeat(309)}@example.com`;
    expect(tooLong.length).toBe(321);
    const response = await loginFrom(t, '127.0.0.1', tooLong, 'some-password');
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc).toEqual(['body', 'username']);

    const longest = tooLong.slice(1);
    for (let i = 0; i < 2; i++) expect((await loginFrom(t, '127.0.0.9', longest, 'some-password')).statusCode).toBe(400);
    const [locked] = (await eventsOf(t, 'login.locked')).filter((event) => event.ip === '127.0.0.9');
    expect(locked?.details).toMatchObject({ username: longest });
  });
});

describe('audit events anyone can cause in bulk', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const app = useTestApp({
    clock,
    env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_RECOVERY_PER_IP: '3/1h', TRUST_PROXY: 'false' },
  });

  it('a recovery request is recorded, for a known address with its account', async () => {
    const t = app.get();
    const user = await t.createUser();
    await t.request({ method: 'POST', url: `/api/v1/password-recovery/${user.email}`, remoteAddress: '198.51.100.1' });
    await t.ctx.accountEmails.drain();
    const [event] = await eventsOf(t, 'password.recovery_requested', user.id);
    expect(event?.details).toEqual({ known: true });
    expect(event?.ip).toBe('198.51.100.1');
  });

  it('a flood of refused requests writes one rate-limit event per limit and window', async () => {
    const t = app.get();
    for (let i = 0; i < 10; i++) {
      await t.request({ method: 'POST', url: `/api/v1/password-recovery/${uniqueEmail()}`, remoteAddress: '198.51.100.2' });
    }
    const refusals = (await eventsOf(t, 'rate_limit.refused')).filter((event) => event.ip === '198.51.100.2');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.details).toEqual({ limits: ['recovery-ip'] });
    clock.advance(3600);
    for (let i = 0; i < 5; i++) {
      await t.request({ method: 'POST', url: `/api/v1/password-recovery/${uniqueEmail()}`, remoteAddress: '198.51.100.2' });
    }
    expect((await eventsOf(t, 'rate_limit.refused')).filter((event) => event.ip === '198.51.100.2')).toHaveLength(2);
    await t.ctx.accountEmails.drain(); // the recoveries let through finish in this test's minute
  });

  it('refused refresh tokens and recoveries for unknown addresses are sampled: at most 20 a minute of each', async () => {
    const t = app.get();
    clock.advance(3600);
    for (let i = 0; i < 25; i++) {
      await t.request({ method: 'POST', url: '/api/v1/login/refresh-token', payload: { refresh_token: `forged-${i}` } });
      await t.request({
        method: 'POST',
        url: `/api/v1/password-recovery/${uniqueEmail()}`,
        remoteAddress: `198.51.100.${100 + i}`,
      });
    }
    await t.ctx.accountEmails.drain();
    const refused = await eventsOf(t, 'refresh.refused');
    expect(refused).toHaveLength(20);
    expect(refused[0]?.details).toEqual({ reason: 'invalid' });
    expect(JSON.stringify(refused)).not.toContain('forged-');
    const unknown = (await eventsOf(t, 'password.recovery_requested')).filter((e) => /^198\.51\.100\.1\d\d$/.test(e.ip ?? ''));
    expect(unknown).toHaveLength(20);
    expect(unknown[0]?.details).toEqual({ known: false });
    clock.advance(61);
    await t.request({ method: 'POST', url: '/api/v1/login/refresh-token', payload: { refresh_token: 'forged-next' } });
    expect(await eventsOf(t, 'refresh.refused')).toHaveLength(21);
  });

  it('a refused refresh with a real token names its user as the target (never the token); a forged one names nobody', async () => {
    const t = app.get();
    clock.advance(61); // a fresh sampling minute
    const loggedOut = await signedIn(t);
    expect((await t.request({ method: 'POST', url: '/api/v1/logout', headers: loggedOut.auth })).statusCode).toBe(200);
    const deactivated = await signedIn(t);
    await t.ctx.db.update(users).set({ isActive: false }).where(eq(users.id, deactivated.id));
    const untargeted = async () => (await eventsOf(t, 'refresh.refused')).filter((event) => event.targetId === null).length;
    const untargetedBefore = await untargeted();

    for (const token of [loggedOut.refreshToken, deactivated.refreshToken, 'forged-after']) {
      const response = await t.request({ method: 'POST', url: '/api/v1/login/refresh-token', payload: { refresh_token: token } });
      expect(response.statusCode).toBe(400);
    }

    const ofLoggedOut = await eventsOf(t, 'refresh.refused', loggedOut.id);
    const ofDeactivated = await eventsOf(t, 'refresh.refused', deactivated.id);
    expect(ofLoggedOut).toHaveLength(1);
    expect(ofDeactivated).toHaveLength(1);
    expect(ofLoggedOut[0]).toMatchObject({ actorId: null, details: { reason: 'invalid' } });
    expect(await untargeted()).toBe(untargetedBefore + 1);
    const written = JSON.stringify(await eventsOf(t, 'refresh.refused'));
    expect(written).not.toContain(loggedOut.refreshToken);
    expect(written).not.toContain(deactivated.refreshToken);
    expect(written).not.toContain('forged-after');
  });
});
