/**
 * Multi-factor authentication (issue 13): enrolment, the login's second step, and
 * the rules around them. Codes come from the otpauth library at the injected clock's
 * time, as an authenticator app would show them.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { insertTogether } from '../../src/db/insert-together.js';
import { auditEvents, emailOutbox, mfaTotp } from '../../src/db/schema.js';
import { totpCodeAt } from '../../src/mfa/totp.js';
import { ManualClock } from '../../src/utils/clock.js';
import { SUPERUSER, type TestApp, uniqueEmail, useTestApp } from '../helpers/app.js';
import { enrolledUser } from '../helpers/mfa.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const MFA_REQUIRED = 'Multi-factor authentication required';

/** A clock at the start of a 30-second step, so tests know where its edges are. */
const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
const app = useTestApp({ clock });

const codeNow = (secret: string, offsetSeconds = 0) => totpCodeAt(secret, clock.now().getTime() + offsetSeconds * 1000);

function passwordLogin(t: TestApp, email: string, password: string, headers: Record<string, string> = {}) {
  return t.request({
    method: 'POST',
    url: '/api/v1/login/access-token',
    headers: { ...form, ...headers },
    payload: new URLSearchParams({ username: email, password }).toString(),
  });
}

function mfaStep(t: TestApp, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.request({ method: 'POST', url: '/api/v1/login/mfa', payload, headers });
}

const enrolled = (t: TestApp) => enrolledUser(t, clock);

/** The password step of an enrolled user: the mfa_token of its 403. */
async function challenge(t: TestApp, user: { email: string; password: string }): Promise<string> {
  const response = await passwordLogin(t, user.email, user.password);
  expect(response.statusCode).toBe(403);
  return response.json().mfa_token;
}

async function eventsOf(t: TestApp, type: string, targetId: string) {
  return t.ctx.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.type, type), eq(auditEvents.targetId, targetId)))
    .orderBy(desc(auditEvents.at));
}

async function mailKinds(t: TestApp, address: string) {
  const rows = await t.ctx.db.select().from(emailOutbox).where(eq(emailOutbox.toAddress, address));
  return rows.map((row) => row.kind);
}

function bearer(response: LightMyRequestResponse) {
  return { authorization: `Bearer ${response.json().access_token}` };
}

function claimsOf(accessToken: string) {
  return JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString());
}

describe('enrolling TOTP', () => {
  it('answers a pending enrolment that enforces nothing until confirmed', async () => {
    const t = app.get();
    const user = await t.createUser();
    const started = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/totp',
      headers: user.auth,
      payload: { current_password: user.password },
    });
    expect(started.statusCode).toBe(200);
    const body = started.json();
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(body.otpauth_uri).toBe(
      `otpauth://totp/Roster%20Test:${encodeURIComponent(user.email)}?issuer=Roster%20Test&secret=${body.secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(body.qr_svg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
    // Pending: the password still signs in alone, and the status says off.
    expect((await passwordLogin(t, user.email, user.password)).statusCode).toBe(200);
    const status = await t.request({ method: 'GET', url: '/api/v1/users/me/mfa', headers: user.auth });
    expect(status.json()).toEqual({ totp: false, recovery_codes_left: 0, passkeys: 0 });
    // The secret is stored encrypted, never in the clear.
    const [row] = await t.ctx.db.select().from(mfaTotp).where(eq(mfaTotp.userId, user.id));
    expect(row?.secretEncrypted).toMatch(/^v1\./);
    expect(row?.secretEncrypted).not.toContain(body.secret);
  });

  it('needs the current password', async () => {
    const t = app.get();
    const user = await t.createUser();
    const wrong = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/totp',
      headers: user.auth,
      payload: { current_password: 'not-the-password' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ detail: 'Incorrect password' });
  });

  it('a confirmed code turns it on: ten recovery codes, mfa_enabled, an audit event and an email', async () => {
    const t = app.get();
    const user = await enrolled(t);
    expect(user.recoveryCodes).toHaveLength(10);
    expect(new Set(user.recoveryCodes).size).toBe(10);
    for (const code of user.recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const status = await t.request({ method: 'GET', url: '/api/v1/users/me/mfa', headers: user.auth });
    expect(status.json()).toEqual({ totp: true, recovery_codes_left: 10, passkeys: 0 });
    const me = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: user.auth });
    expect(me.json().mfa_enabled).toBe(true);
    expect(await eventsOf(t, 'mfa.totp_enrolled', user.id)).toHaveLength(1);
    expect(await mailKinds(t, user.email)).toContain('mfa_totp_enrolled');
  });

  it('a wrong confirmation code is refused and leaves it off', async () => {
    const t = app.get();
    const user = await t.createUser();
    const started = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/totp',
      headers: user.auth,
      payload: { current_password: user.password },
    });
    const right = codeNow(started.json().secret);
    const wrong = right === '000000' ? '111111' : '000000';
    const refused = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/totp/confirm',
      headers: user.auth,
      payload: { code: wrong },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ detail: 'Invalid authentication code' });
    expect((await passwordLogin(t, user.email, user.password)).statusCode).toBe(200);
  });
});

/** An account a sign-in provider created: no password, signed in (by the provider) at the clock's now. */
async function providerCreatedUser(t: TestApp) {
  const user = await t.ctx.users.create({ email: uniqueEmail('provider'), password: null, fullName: 'Provider User' });
  const { session, inserts } = t.ctx.sessions.open(user.id, { ip: '127.0.0.1', userAgent: 'test' }, { amr: ['fed'], aal: 1 });
  await insertTogether(t.ctx.db, inserts);
  return { ...user, auth: { authorization: `Bearer ${await t.ctx.tokens.createAccessToken(user.id, session.id)}` } };
}

const startTotp = (t: TestApp, auth: Record<string, string>, payload: Record<string, unknown>) =>
  t.request({ method: 'POST', url: '/api/v1/users/me/mfa/totp', headers: auth, payload });

describe('enrolling TOTP without a password (an account a sign-in provider created)', () => {
  it('a recent sign-in stands in for the password: TOTP goes on', async () => {
    const t = app.get();
    const user = await providerCreatedUser(t);
    clock.advance(9 * 60);
    const started = await startTotp(t, user.auth, {});
    expect(started.statusCode).toBe(200);
    const confirmed = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/totp/confirm',
      headers: user.auth,
      payload: { code: codeNow(started.json().secret) },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().recovery_codes).toHaveLength(10);
    const me = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: user.auth });
    expect(me.json().mfa_enabled).toBe(true);
    expect(await eventsOf(t, 'mfa.totp_enrolled', user.id)).toHaveLength(1);
  });

  it('outside the re-authentication window it asks for a new sign-in, and audits the refusal', async () => {
    const t = app.get();
    const user = await providerCreatedUser(t);
    clock.advance(11 * 60);
    const refused = await startTotp(t, user.auth, {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ detail: 'Sign in again to turn on two-factor authentication' });
    const [event] = await eventsOf(t, 'reauth.failed', user.id);
    expect(event?.details).toEqual({ action: 'mfa_change', reason: 'not_recent' });
    expect((await t.request({ method: 'GET', url: '/api/v1/users/me/mfa', headers: user.auth })).json().totp).toBe(false);
  });

  it('a password sent for an account that has none is refused, recent or not', async () => {
    const t = app.get();
    const user = await providerCreatedUser(t);
    const refused = await startTotp(t, user.auth, { current_password: 'anything-at-all' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toMatch(/no password yet/);
  });

  it('an account with a password is still asked for it, however recent its sign-in', async () => {
    const t = app.get();
    const user = await t.createUser();
    const missing = await startTotp(t, user.auth, {});
    expect(missing.statusCode).toBe(422);
    expect(missing.json().detail).toEqual([{ loc: ['body', 'current_password'], msg: 'Field required', type: 'missing' }]);
    const noBody = await t.request({ method: 'POST', url: '/api/v1/users/me/mfa/totp', headers: user.auth });
    expect(noBody.statusCode).toBe(422);
    expect((await t.request({ method: 'GET', url: '/api/v1/users/me/mfa', headers: user.auth })).json().totp).toBe(false);
  });
});

describe('the password login of an enrolled user', () => {
  it('answers 403 with an mfa_token and no access token; the second step answers the tokens', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const first = await passwordLogin(t, user.email, user.password);
    expect(first.statusCode).toBe(403);
    const body = first.json();
    expect(body).toEqual({ detail: MFA_REQUIRED, mfa_token: expect.any(String), methods: ['totp', 'recovery_code'] });
    expect(first.body).not.toContain('access_token');
    expect(first.cookies).toEqual([]);

    const second = await mfaStep(t, { mfa_token: body.mfa_token, code: codeNow(user.secret) });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: expect.any(Number),
      refresh_token: expect.any(String),
    });
    expect(claimsOf(second.json().access_token)).toMatchObject({ amr: ['pwd', 'otp'], aal: 2 });
    const me = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: bearer(second) });
    expect(me.json().id).toBe(user.id);
    const [succeeded] = await eventsOf(t, 'mfa.succeeded', user.id);
    expect(succeeded?.details).toEqual({ method: 'totp' });
    const [login] = await eventsOf(t, 'login.succeeded', user.id);
    expect(login?.details).toMatchObject({ method: 'password+totp', aal: 2 });
  });

  it('the second step takes a form too, and the web app’s refresh cookie', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const mfaToken = await challenge(t, user);
    const second = await t.request({
      method: 'POST',
      url: '/api/v1/login/mfa',
      headers: { ...form, 'x-roster-refresh': 'cookie' },
      payload: new URLSearchParams({ mfa_token: mfaToken, code: codeNow(user.secret) }).toString(),
    });
    expect(second.statusCode).toBe(200);
    expect(second.json().refresh_token).toBeUndefined();
    expect(second.cookies.map((cookie) => cookie.name).sort()).toEqual(['roster_refresh', 'roster_session']);
    // A refresh keeps the session's amr and aal.
    const refresh = second.cookies.find((cookie) => cookie.name === 'roster_refresh');
    const refreshed = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      payload: { refresh_token: refresh?.value },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(claimsOf(refreshed.json().access_token)).toMatchObject({ amr: ['pwd', 'otp'], aal: 2 });
  });

  it('a password login without MFA carries amr ["pwd"] and aal 1', async () => {
    const t = app.get();
    const user = await t.createUser();
    const response = await passwordLogin(t, user.email, user.password);
    expect(response.statusCode).toBe(200);
    expect(claimsOf(response.json().access_token)).toMatchObject({ amr: ['pwd'], aal: 1 });
  });
});

describe('TOTP codes', () => {
  it('are accepted one step either side of now, not two (drift)', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const twoBack = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret, -60) });
    expect(twoBack.statusCode).toBe(400);
    expect(twoBack.json()).toEqual({ detail: 'Invalid authentication code' });
    const twoAhead = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret, 60) });
    expect(twoAhead.statusCode).toBe(400);
    // The last second of the previous step's code, read at the first second of this one.
    const oneBack = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret, -1) });
    expect(oneBack.statusCode).toBe(200);
    const oneAhead = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret, 30) });
    expect(oneAhead.statusCode).toBe(200);
  });

  it('are accepted once: the same code again, or an earlier step’s, is refused (replay)', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const code = codeNow(user.secret);
    expect((await mfaStep(t, { mfa_token: await challenge(t, user), code })).statusCode).toBe(200);
    const replay = await mfaStep(t, { mfa_token: await challenge(t, user), code });
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toEqual({ detail: 'Invalid authentication code' });
    // Still within its window, the previous step's code is older than the one used: refused too.
    const older = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret, -30) });
    expect(older.statusCode).toBe(400);
    // The next step's code is new.
    clock.advance(30);
    expect((await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret) })).statusCode).toBe(200);
  });
});

describe('the mfa_token', () => {
  it('works once', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const mfaToken = await challenge(t, user);
    expect((await mfaStep(t, { mfa_token: mfaToken, code: codeNow(user.secret) })).statusCode).toBe(200);
    clock.advance(30);
    const again = await mfaStep(t, { mfa_token: mfaToken, code: codeNow(user.secret) });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ detail: 'Invalid or expired MFA token' });
  });

  it('expires after 5 minutes', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const late = await challenge(t, user);
    clock.advance(5 * 60);
    const expired = await mfaStep(t, { mfa_token: late, code: codeNow(user.secret) });
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toEqual({ detail: 'Invalid or expired MFA token' });
    const justInTime = await challenge(t, user);
    clock.advance(5 * 60 - 1);
    expect((await mfaStep(t, { mfa_token: justInTime, code: codeNow(user.secret) })).statusCode).toBe(200);
    clock.advance(1);
  });

  it('allows 5 wrong codes, then not even the right one; each is audited', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const mfaToken = await challenge(t, user);
    const right = codeNow(user.secret);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let i = 0; i < 4; i++) expect((await mfaStep(t, { mfa_token: mfaToken, code: wrong })).statusCode).toBe(400);
    // The fifth wrong code is the last: the token burns with it.
    expect((await mfaStep(t, { mfa_token: mfaToken, code: wrong })).json()).toEqual({ detail: 'Invalid authentication code' });
    const burnt = await mfaStep(t, { mfa_token: mfaToken, code: right });
    expect(burnt.statusCode).toBe(400);
    expect(burnt.json()).toEqual({ detail: 'Invalid or expired MFA token' });
    expect(await eventsOf(t, 'mfa.challenge_failed', user.id)).toHaveLength(5);
  });

  it('is bound to its user and its purpose', async () => {
    const t = app.get();
    const ann = await enrolled(t);
    const bob = await enrolled(t);
    // Bob's code does not complete Ann's sign-in.
    const forAnn = await challenge(t, ann);
    expect((await mfaStep(t, { mfa_token: forAnn, code: codeNow(bob.secret) })).statusCode).toBe(400);
    // A second-factor token does not serve the MFA_REQUIRED enrolment.
    const enrol = await t.request({ method: 'POST', url: '/api/v1/login/mfa/enroll', payload: { mfa_token: forAnn } });
    expect(enrol.statusCode).toBe(400);
    expect(enrol.json()).toEqual({ detail: 'Invalid or expired MFA token' });
  });
});

describe('recovery codes', () => {
  it('each signs in once instead of a TOTP code; the owner is told and the count drops', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const [code] = user.recoveryCodes as [string];
    // As people type them: upper case, a space instead of the dash.
    const typed = code.toUpperCase().replace('-', ' ');
    const first = await mfaStep(t, { mfa_token: await challenge(t, user), code: typed });
    expect(first.statusCode).toBe(200);
    expect(claimsOf(first.json().access_token)).toMatchObject({ amr: ['pwd', 'otp'], aal: 2 });
    const reused = await mfaStep(t, { mfa_token: await challenge(t, user), code });
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toEqual({ detail: 'Invalid authentication code' });
    const status = await t.request({ method: 'GET', url: '/api/v1/users/me/mfa', headers: bearer(first) });
    expect(status.json().recovery_codes_left).toBe(9);
    const [used] = await eventsOf(t, 'mfa.recovery_code_used', user.id);
    expect(used?.details).toEqual({ recovery_codes_left: 9 });
    expect(JSON.stringify(used)).not.toContain(code);
    expect(await mailKinds(t, user.email)).toContain('mfa_recovery_code_used');
  });

  it('are replaced with the password and a code; the old set stops working', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const noCode = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/recovery-codes',
      headers: user.auth,
      payload: { current_password: user.password },
    });
    expect(noCode.statusCode).toBe(400);
    expect(noCode.json()).toEqual({ detail: 'Enter a code from your authenticator app or a recovery code' });
    const replaced = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/recovery-codes',
      headers: user.auth,
      payload: { current_password: user.password, code: codeNow(user.secret) },
    });
    expect(replaced.statusCode).toBe(200);
    const fresh = replaced.json().recovery_codes as string[];
    expect(fresh).toHaveLength(10);
    const old = await mfaStep(t, { mfa_token: await challenge(t, user), code: user.recoveryCodes[1] });
    expect(old.statusCode).toBe(400);
    expect((await mfaStep(t, { mfa_token: await challenge(t, user), code: fresh[0] })).statusCode).toBe(200);
  });
});

describe('turning TOTP off', () => {
  it('needs the password and a code; then the password alone signs in, and the owner is told', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const remember = await mfaStep(t, {
      mfa_token: await challenge(t, user),
      code: codeNow(user.secret),
      remember_device: true,
    });
    const device = remember.cookies.find((cookie) => cookie.name === 'roster_device');
    expect(device).toBeDefined();
    const off = (payload: Record<string, unknown>) =>
      t.request({ method: 'DELETE', url: '/api/v1/users/me/mfa/totp', headers: user.auth, payload });
    expect((await off({ current_password: 'wrong-password', code: codeNow(user.secret, 30) })).json()).toEqual({
      detail: 'Incorrect password',
    });
    expect((await off({ current_password: user.password })).statusCode).toBe(400);
    const wrong = codeNow(user.secret, 30) === '000000' ? '111111' : '000000';
    expect((await off({ current_password: user.password, code: wrong })).json()).toEqual({
      detail: 'Invalid authentication code',
    });
    const done = await off({ current_password: user.password, code: codeNow(user.secret, 30) });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ message: 'Two-factor authentication turned off' });
    expect((await passwordLogin(t, user.email, user.password)).statusCode).toBe(200);
    const status = await t.request({ method: 'GET', url: '/api/v1/users/me/mfa', headers: user.auth });
    expect(status.json()).toEqual({ totp: false, recovery_codes_left: 0, passkeys: 0 });
    const devices = await t.request({ method: 'GET', url: '/api/v1/users/me/mfa/devices', headers: user.auth });
    expect(devices.json()).toEqual({ data: [], count: 0 });
    expect(await eventsOf(t, 'mfa.totp_disabled', user.id)).toHaveLength(1);
    expect(await mailKinds(t, user.email)).toContain('mfa_totp_disabled');
  });
});

describe('a remembered device', () => {
  it('skips the second step of its user’s password logins, is listed, and can be forgotten', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const other = await enrolled(t);
    const second = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret), remember_device: 'true' });
    const device = second.cookies.find((cookie) => cookie.name === 'roster_device');
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/api/v1/login' });
    const cookie = { cookie: `roster_device=${device?.value}` };

    const skipped = await passwordLogin(t, user.email, user.password, cookie);
    expect(skipped.statusCode).toBe(200);
    // The session did not pass a second factor, and says so.
    expect(claimsOf(skipped.json().access_token)).toMatchObject({ amr: ['pwd'], aal: 1 });
    // Not for another account in the same browser, nor without the cookie.
    expect((await passwordLogin(t, other.email, other.password, cookie)).statusCode).toBe(403);
    expect((await passwordLogin(t, user.email, user.password)).statusCode).toBe(403);

    const list = await t.request({ method: 'GET', url: '/api/v1/users/me/mfa/devices', headers: user.auth });
    expect(list.json().count).toBe(1);
    const [listed] = list.json().data;
    expect(listed.expires_at).toBe(new Date(clock.now().getTime() + 30 * 86_400_000).toISOString());
    const forgotten = await t.request({
      method: 'DELETE',
      url: `/api/v1/users/me/mfa/devices/${listed.id}`,
      headers: user.auth,
    });
    expect(forgotten.statusCode).toBe(200);
    expect((await passwordLogin(t, user.email, user.password, cookie)).statusCode).toBe(403);
    expect(await eventsOf(t, 'mfa.device_remembered', user.id)).toHaveLength(1);
  });

  it('is forgotten when the password changes', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const second = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret), remember_device: true });
    const cookie = { cookie: `roster_device=${second.cookies.find((c) => c.name === 'roster_device')?.value}` };
    expect((await passwordLogin(t, user.email, user.password, cookie)).statusCode).toBe(200);
    const changed = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: bearer(second),
      payload: { current_password: user.password, new_password: 'another-long-password' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await passwordLogin(t, user.email, 'another-long-password', cookie)).statusCode).toBe(403);
  });

  it('expires after MFA_REMEMBER_DAYS', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const second = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret), remember_device: true });
    const cookie = { cookie: `roster_device=${second.cookies.find((c) => c.name === 'roster_device')?.value}` };
    clock.advance(30 * 86_400 - 30);
    expect((await passwordLogin(t, user.email, user.password, cookie)).statusCode).toBe(200);
    clock.advance(30);
    expect((await passwordLogin(t, user.email, user.password, cookie)).statusCode).toBe(403);
  });
});

describe('every way in asks for the second factor', () => {
  it('a password reset link sets the password and signs no one in; the next login still asks', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const token = await t.ctx.db.transaction((tx) => t.ctx.oneTimeTokens.issue(tx, user.id, 'password_reset', user.email));
    const reset = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token, new_password: 'reset-long-password' },
    });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toEqual({ message: 'Password updated successfully' });
    expect(reset.cookies).toEqual([]);
    const login = await passwordLogin(t, user.email, 'reset-long-password');
    expect(login.statusCode).toBe(403);
    expect(login.json().detail).toBe(MFA_REQUIRED);
  });

  it('a session from before MFA was turned on keeps working and refreshing, as a one-factor session', async () => {
    const t = app.get();
    const user = await t.createUser();
    const before = await passwordLogin(t, user.email, user.password);
    const { secret } = (
      await t.request({
        method: 'POST',
        url: '/api/v1/users/me/mfa/totp',
        headers: user.auth,
        payload: { current_password: user.password },
      })
    ).json();
    await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/totp/confirm',
      headers: user.auth,
      payload: { code: codeNow(secret) },
    });
    const refreshed = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      payload: { refresh_token: before.json().refresh_token },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(claimsOf(refreshed.json().access_token)).toMatchObject({ amr: ['pwd'], aal: 1 });
  });

  it('the door refuses a second-factor step for an account deactivated meanwhile', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const mfaToken = await challenge(t, user);
    const admin = await t.authFor(SUPERUSER.email, SUPERUSER.password);
    await t.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, headers: admin, payload: { is_active: false } });
    const step = await mfaStep(t, { mfa_token: mfaToken, code: codeNow(user.secret) });
    expect(step.statusCode).toBe(400);
    expect(step.json()).toEqual({ detail: 'Inactive user' });
  });
});

describe('an administrator', () => {
  it('resets a user’s factors: sessions end, devices go, the owner is told, the password alone signs in', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const session = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret), remember_device: true });
    const admin = await t.authFor(SUPERUSER.email, SUPERUSER.password);
    const notAdmin = await t.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/mfa`, headers: bearer(session) });
    expect(notAdmin.statusCode).toBe(403);
    const reset = await t.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/mfa`, headers: admin });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toEqual({ message: 'Multi-factor authentication was reset' });
    const ended = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: bearer(session) });
    expect(ended.statusCode).toBe(403);
    expect(ended.json()).toEqual({ detail: 'Could not validate credentials' });
    const login = await passwordLogin(t, user.email, user.password);
    expect(login.statusCode).toBe(200);
    expect((await t.request({ method: 'GET', url: '/api/v1/users/me', headers: bearer(login) })).json().mfa_enabled).toBe(false);
    const devices = await t.request({ method: 'GET', url: '/api/v1/users/me/mfa/devices', headers: bearer(login) });
    expect(devices.json().count).toBe(0);
    const [event] = await eventsOf(t, 'mfa.reset_by_admin', user.id);
    expect(event?.details).toMatchObject({ sessions_ended: expect.any(Number) });
    expect(await mailKinds(t, user.email)).toContain('mfa_reset_by_admin');
    const missing = await t.request({
      method: 'DELETE',
      url: '/api/v1/users/00000000-0000-4000-8000-000000000000/mfa',
      headers: admin,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('sees mfa_enabled and filters the list on it', async () => {
    const t = app.get();
    const on = await enrolled(t);
    const off = await t.createUser();
    const admin = await t.authFor(SUPERUSER.email, SUPERUSER.password);
    const listed = async (mfa: boolean) =>
      (await t.request({ method: 'GET', url: `/api/v1/users/?mfa=${mfa}&limit=1000`, headers: admin }))
        .json()
        .data.map((u: { id: string }) => u.id);
    expect(await listed(true)).toContain(on.id);
    expect(await listed(true)).not.toContain(off.id);
    expect(await listed(false)).toContain(off.id);
    expect(await listed(false)).not.toContain(on.id);
    // Read-only: an admin's update cannot set it.
    await t.request({ method: 'PATCH', url: `/api/v1/users/${off.id}`, headers: admin, payload: { mfa_enabled: true } });
    const after = await t.request({ method: 'GET', url: `/api/v1/users/${off.id}`, headers: admin });
    expect(after.json().mfa_enabled).toBe(false);
  });
});

describe('changing one’s email with MFA on', () => {
  it('outside the re-authentication window needs a code as well as the password', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const session = await mfaStep(t, { mfa_token: await challenge(t, user), code: codeNow(user.secret) });
    // Within the window, the second-factor sign-in counts: no password or code asked.
    const within = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: bearer(session),
      payload: { email: `moved-${user.email}` },
    });
    expect(within.statusCode).toBe(200);
    clock.advance(11 * 60);
    const passwordOnly = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: bearer(session),
      payload: { email: `again-${user.email}`, current_password: user.password },
    });
    expect(passwordOnly.statusCode).toBe(403);
    expect(passwordOnly.json()).toEqual({ detail: 'Confirm your password and a code to change your email' });
    const withCode = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: bearer(session),
      payload: { email: `again-${user.email}`, current_password: user.password, code: codeNow(user.secret) },
    });
    expect(withCode.statusCode).toBe(200);
  });
});
