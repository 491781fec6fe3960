/**
 * MFA settings and limits that need their own app: MFA_REQUIRED=superusers (the setup
 * flow at login), MFA_REMEMBER_DAYS=0, and a low lockout threshold that wrong
 * second-factor codes count towards.
 */
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/db/schema.js';
import { totpCodeAt } from '../../src/mfa/totp.js';
import { ManualClock } from '../../src/utils/clock.js';
import { type TestApp, useTestApp } from '../helpers/app.js';
import { enrolledUser } from '../helpers/mfa.js';

const clock = new ManualClock(new Date('2030-06-01T00:00:00Z'));
const app = useTestApp({
  clock,
  env: { MFA_REQUIRED: 'superusers', MFA_REMEMBER_DAYS: '0', LOGIN_LOCK_AFTER_FAILURES: '3', LOGIN_LOCK_SECONDS: '60' },
});

const codeNow = (secret: string) => totpCodeAt(secret, clock.now().getTime());
const otherThan = (code: string) => (code === '000000' ? '111111' : '000000');

const passwordLogin = (t: TestApp, email: string, password: string) => t.login(email, password);
const post = (t: TestApp, url: string, payload: Record<string, unknown>) => t.request({ method: 'POST', url, payload });

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const postForm = (t: TestApp, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  t.request({ method: 'POST', url, headers: { ...form, ...headers }, payload: new URLSearchParams(fields).toString() });

const enrolled = (t: TestApp) => enrolledUser(t, clock);

describe('MFA_REQUIRED=superusers', () => {
  it('walks a superuser without a second factor through enrolling one before any session', async () => {
    const t = app.get();
    const admin = await t.createUser({ isSuperuser: true });
    const first = await passwordLogin(t, admin.email, admin.password);
    expect(first.statusCode).toBe(403);
    expect(first.json()).toEqual({ detail: 'Multi-factor authentication setup required', mfa_token: expect.any(String) });
    const mfaToken = first.json().mfa_token;
    // The setup token is not a second-factor token.
    expect((await post(t, '/api/v1/login/mfa', { mfa_token: mfaToken, code: '123456' })).json()).toEqual({
      detail: 'Invalid or expired MFA token',
    });

    const enrolment = await post(t, '/api/v1/login/mfa/enroll', { mfa_token: mfaToken });
    expect(enrolment.statusCode).toBe(200);
    const { secret, otpauth_uri, qr_svg } = enrolment.json();
    expect(otpauth_uri).toContain(`secret=${secret}`);
    expect(qr_svg).toMatch(/^<svg/);

    const wrong = await post(t, '/api/v1/login/mfa/enroll/confirm', { mfa_token: mfaToken, code: otherThan(codeNow(secret)) });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ detail: 'Invalid authentication code' });

    const confirmed = await post(t, '/api/v1/login/mfa/enroll/confirm', { mfa_token: mfaToken, code: codeNow(secret) });
    expect(confirmed.statusCode).toBe(200);
    const body = confirmed.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: expect.any(Number),
      refresh_token: expect.any(String),
      recovery_codes: expect.any(Array),
    });
    expect(body.recovery_codes).toHaveLength(10);
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ amr: ['pwd', 'otp'], aal: 2 });
    // Spent: the setup token does not enrol again.
    expect((await post(t, '/api/v1/login/mfa/enroll', { mfa_token: mfaToken })).statusCode).toBe(400);

    // From now on the superuser is asked for the second factor like anyone who has one.
    const next = await passwordLogin(t, admin.email, admin.password);
    expect(next.statusCode).toBe(403);
    expect(next.json()).toMatchObject({ detail: 'Multi-factor authentication required', methods: ['totp', 'recovery_code'] });
  });

  it('the enrolment at login takes a form too, and answers as with JSON', async () => {
    const t = app.get();
    const admin = await t.createUser({ isSuperuser: true });
    const mfaToken = (await passwordLogin(t, admin.email, admin.password)).json().mfa_token;
    const enrolment = await postForm(t, '/api/v1/login/mfa/enroll', { mfa_token: mfaToken });
    expect(enrolment.statusCode).toBe(200);
    const { secret } = enrolment.json();
    expect(enrolment.json()).toEqual({ secret: expect.any(String), otpauth_uri: expect.any(String), qr_svg: expect.any(String) });

    const wrong = await postForm(t, '/api/v1/login/mfa/enroll/confirm', {
      mfa_token: mfaToken,
      code: otherThan(codeNow(secret)),
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toEqual({ detail: 'Invalid authentication code' });
    const confirmed = await postForm(
      t,
      '/api/v1/login/mfa/enroll/confirm',
      { mfa_token: mfaToken, code: codeNow(secret) },
      { 'x-roster-refresh': 'cookie' },
    );
    expect(confirmed.statusCode).toBe(200);
    // The web app's way: the refresh token in a cookie, not in the body.
    expect(confirmed.json()).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: expect.any(Number),
      recovery_codes: expect.any(Array),
    });
    expect(confirmed.cookies.map((cookie) => cookie.name).sort()).toEqual(['roster_refresh', 'roster_session']);
  });

  it('a malformed form at the enrolment at login is a 422, never a 500', async () => {
    const t = app.get();
    const admin = await t.createUser({ isSuperuser: true });
    const mfaToken = (await passwordLogin(t, admin.email, admin.password)).json().mfa_token;
    for (const url of ['/api/v1/login/mfa/enroll', '/api/v1/login/mfa/enroll/confirm']) {
      for (const payload of [
        '',
        `mfa_token=${mfaToken}&mfa_token=${mfaToken}&code=123456&code=654321`,
        'mfa_token=&code=',
        '%00=%00&a=1&a=2',
        `mfa_token=${'x'.repeat(100_000)}&code=${'1'.repeat(100)}`,
      ]) {
        const response = await t.request({ method: 'POST', url, headers: form, payload });
        expect(response.statusCode, `${url} ${payload.slice(0, 40)}`).toBe(422);
        expect(Array.isArray(response.json().detail), `${url} ${payload.slice(0, 40)}`).toBe(true);
      }
    }
    // None of these spent the token.
    expect((await post(t, '/api/v1/login/mfa/enroll', { mfa_token: mfaToken })).statusCode).toBe(200);
  });

  it('leaves other users alone', async () => {
    const t = app.get();
    const user = await t.createUser();
    expect((await passwordLogin(t, user.email, user.password)).statusCode).toBe(200);
  });
});

describe('MFA_REMEMBER_DAYS=0', () => {
  it('remembers no device', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const mfaToken = (await passwordLogin(t, user.email, user.password)).json().mfa_token;
    const step = await post(t, '/api/v1/login/mfa', { mfa_token: mfaToken, code: codeNow(user.secret), remember_device: true });
    expect(step.statusCode).toBe(200);
    expect(step.cookies.map((cookie) => cookie.name)).not.toContain('roster_device');
  });
});

describe('wrong second-factor codes', () => {
  it('count in the account lockout: the third locks this address out of the account, codes and passwords alike', async () => {
    const t = app.get();
    const user = await enrolled(t);
    const mfaToken = (await passwordLogin(t, user.email, user.password)).json().mfa_token;
    const wrong = otherThan(codeNow(user.secret));
    for (let i = 0; i < 3; i++) {
      expect((await post(t, '/api/v1/login/mfa', { mfa_token: mfaToken, code: wrong })).statusCode).toBe(400);
    }
    const locked = await post(t, '/api/v1/login/mfa', { mfa_token: mfaToken, code: codeNow(user.secret) });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().detail).toMatch(/^Too many failed login attempts; try again in \d+ seconds?$/);
    expect((await passwordLogin(t, user.email, user.password)).statusCode).toBe(429);
    const lockEvents = await t.ctx.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'login.locked'), eq(auditEvents.targetId, user.id)));
    expect(lockEvents).toHaveLength(1);

    // Once the lock ends, the same token (3 wrong codes of 5) still works with a right code.
    clock.advance(60);
    const after = await post(t, '/api/v1/login/mfa', { mfa_token: mfaToken, code: codeNow(user.secret) });
    expect(after.statusCode).toBe(200);
  });

  it('an unknown mfa_token costs no account anything', async () => {
    const t = app.get();
    const user = await enrolled(t);
    for (let i = 0; i < 5; i++) {
      const response = await post(t, '/api/v1/login/mfa', { mfa_token: `not-a-token-${i}`, code: '123456' });
      expect(response.json()).toEqual({ detail: 'Invalid or expired MFA token' });
    }
    expect((await passwordLogin(t, user.email, user.password)).statusCode).toBe(403);
  });
});
