/**
 * Multi-factor authentication (issue 13): enrolment, the login's second step, and
 * the rules around them. Codes come from the otpauth library at the injected clock's
 * time, as an authenticator app would show them.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { auditEvents, emailOutbox, mfaTotp } from '../../src/db/schema.js';
import { totpCodeAt } from '../../src/mfa/totp.js';
import { ManualClock } from '../../src/utils/clock.js';
import { type TestApp, useTestApp } from '../helpers/app.js';

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

/** A user with TOTP on: their secret and recovery codes. */
async function enrolled(t: TestApp) {
  const user = await t.createUser();
  const started = await t.request({
    method: 'POST',
    url: '/api/v1/users/me/mfa/totp',
    headers: user.auth,
    payload: { current_password: user.password },
  });
  expect(started.statusCode).toBe(200);
  const { secret } = started.json();
  const confirmed = await t.request({
    method: 'POST',
    url: '/api/v1/users/me/mfa/totp/confirm',
    headers: user.auth,
    payload: { code: codeNow(secret) },
  });
  expect(confirmed.statusCode).toBe(200);
  // Each test starts in a fresh step, so the confirmation's code is not a replay in it.
  clock.advance(30);
  return { ...user, secret: secret as string, recoveryCodes: confirmed.json().recovery_codes as string[] };
}

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
