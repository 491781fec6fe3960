/**
 * Brute-force protection through the HTTP API, with low limits and a manual clock.
 * Cross-process behaviour is in brute-force-processes.test.ts.
 */
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { LockInfo } from '../../src/security/login-lockout.js';
import { ManualClock } from '../../src/utils/clock.js';
import { SUPERUSER, type TestApp, uniqueEmail, useTestApp } from '../helpers/app.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

function loginFrom(t: TestApp, ip: string, username: string, password: string, headers: Record<string, string> = {}) {
  return t.request({
    method: 'POST',
    url: '/api/v1/login/access-token',
    remoteAddress: ip,
    headers: { ...form, ...headers },
    payload: new URLSearchParams({ username, password }).toString(),
  });
}

function expectTooMany(response: LightMyRequestResponse, retryAfter: number, what = 'requests') {
  expect(response.statusCode).toBe(429);
  expect(response.headers['retry-after']).toBe(String(retryAfter));
  const unit = retryAfter === 1 ? 'second' : 'seconds';
  const detail = what === 'requests' ? 'Too many requests' : 'Too many failed login attempts';
  expect(response.json()).toEqual({ detail: `${detail}; try again in ${retryAfter} ${unit}` });
}

describe('login rate limits', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const app = useTestApp({
    clock,
    env: {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_LOGIN_PER_IP: '3/1m',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '4/1m',
      TRUST_PROXY: 'false',
    },
  });

  it('per client address: the fourth attempt in a minute is refused, other addresses are not, and the window ends', async () => {
    const t = app.get();
    const user = await t.createUser();
    for (let i = 0; i < 3; i++)
      expect((await loginFrom(t, '198.51.100.1', uniqueEmail(), 'wrong-password')).statusCode).toBe(400);
    clock.advance(20);
    // Even the right password: the limit is on attempts, not failures.
    expectTooMany(await loginFrom(t, '198.51.100.1', user.email, user.password), 40);
    expect((await loginFrom(t, '198.51.100.2', user.email, user.password)).statusCode).toBe(200);
    clock.advance(40);
    expect((await loginFrom(t, '198.51.100.1', user.email, user.password)).statusCode).toBe(200);
  });

  it('per account, whatever the address or letter case', async () => {
    const t = app.get();
    const user = await t.createUser();
    for (let i = 0; i < 4; i++) {
      const username = i % 2 ? user.email.toUpperCase() : user.email;
      expect((await loginFrom(t, `198.51.100.${10 + i}`, username, 'wrong-password')).statusCode).toBe(400);
    }
    expectTooMany(await loginFrom(t, '198.51.100.20', user.email, user.password), 60);
    expect((await loginFrom(t, '198.51.100.20', SUPERUSER.email, SUPERUSER.password)).statusCode).toBe(200);
    clock.advance(60);
  });

  it('an address the owner logged in from is exempt from the per-account limit others spent', async () => {
    const t = app.get();
    const user = await t.createUser();
    const owner = '198.51.100.30';
    expect((await loginFrom(t, owner, user.email, user.password)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) await loginFrom(t, `203.0.113.${30 + i}`, user.email, 'wrong-password');
    expectTooMany(await loginFrom(t, '198.51.100.31', user.email, user.password), 60);
    expect((await loginFrom(t, owner, user.email, user.password)).statusCode).toBe(200);
    clock.advance(60);
  });

  it('counts an IPv6 /64 as one client', async () => {
    const t = app.get();
    for (let i = 1; i <= 3; i++) await loginFrom(t, `2001:db8:aa:bb::${i}`, uniqueEmail(), 'wrong-password');
    expect((await loginFrom(t, '2001:db8:aa:bb::ffff', uniqueEmail(), 'wrong-password')).statusCode).toBe(429);
    expect((await loginFrom(t, '2001:db8:aa:cc::1', uniqueEmail(), 'wrong-password')).statusCode).toBe(400);
    clock.advance(60);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says so', async () => {
    const t = app.get();
    for (let i = 1; i <= 3; i++) {
      await loginFrom(t, '192.0.2.50', uniqueEmail(), 'wrong-password', { 'x-forwarded-for': `203.0.113.${i}` });
    }
    const spoofed = await loginFrom(t, '192.0.2.50', uniqueEmail(), 'wrong-password', { 'x-forwarded-for': '203.0.113.99' });
    expect(spoofed.statusCode).toBe(429);
    clock.advance(60);
  });
});

describe('behind a trusted proxy', () => {
  const app = useTestApp({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_LOGIN_PER_IP: '2/1m', TRUST_PROXY: 'true' } });

  it('true means one proxy: the client is the address it appended, whatever the client wrote to the left', async () => {
    const t = app.get();
    // The client forges a new leftmost entry on every request; the proxy appends the real address.
    const forged = (i: number) =>
      loginFrom(t, '10.0.0.1', uniqueEmail(), 'wrong-password', { 'x-forwarded-for': `198.18.0.${i}, 203.0.113.7` });
    expect((await forged(1)).statusCode).toBe(400);
    expect((await forged(2)).statusCode).toBe(400);
    expect((await forged(3)).statusCode).toBe(429);
    const other = await loginFrom(t, '10.0.0.1', uniqueEmail(), 'wrong-password', { 'x-forwarded-for': '203.0.113.8' });
    expect(other.statusCode).toBe(400);
  });
});

describe('behind two trusted proxies', () => {
  const app = useTestApp({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_LOGIN_PER_IP: '2/1m', TRUST_PROXY: '2' } });

  it('counts each client named by the second hop from the right, not by what the client sent', async () => {
    const t = app.get();
    const viaProxies = (client: string, forged: string) =>
      loginFrom(t, '10.0.0.1', uniqueEmail(), 'wrong-password', { 'x-forwarded-for': `${forged}, ${client}, 10.0.0.2` });
    expect((await viaProxies('203.0.113.1', '198.18.0.1')).statusCode).toBe(400);
    expect((await viaProxies('203.0.113.1', '198.18.0.2')).statusCode).toBe(400);
    expect((await viaProxies('203.0.113.1', '198.18.0.3')).statusCode).toBe(429);
    expect((await viaProxies('203.0.113.2', '198.18.0.3')).statusCode).toBe(400);
  });
});

describe('behind proxies named by address', () => {
  const app = useTestApp({
    env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_LOGIN_PER_IP: '2/1m', TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' },
  });

  it('takes the rightmost address that is not a trusted proxy', async () => {
    const t = app.get();
    const viaProxies = (forged: string) =>
      loginFrom(t, '10.0.0.1', uniqueEmail(), 'wrong-password', { 'x-forwarded-for': `${forged}, 203.0.113.9, 10.0.0.2` });
    expect((await viaProxies('198.18.0.1')).statusCode).toBe(400);
    expect((await viaProxies('198.18.0.2')).statusCode).toBe(400);
    expect((await viaProxies('198.18.0.3')).statusCode).toBe(429);
  });
});

describe('login lockout', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const locks: LockInfo[] = [];
  const app = useTestApp({
    clock,
    env: {
      LOGIN_LOCK_AFTER_FAILURES: '3',
      LOGIN_LOCK_SECONDS: '60',
      LOGIN_LOCK_MAX_SECONDS: '200',
      LOGIN_ACCOUNT_LOCK_AFTER_FAILURES: '6',
      LOGIN_ACCOUNT_LOCK_SECONDS: '30',
      LOGIN_ACCOUNT_LOCK_MAX_SECONDS: '45',
      LOGIN_FAILURE_WINDOW_SECONDS: '900',
    },
  });
  const listen = () => {
    if (locks.length === 0) app.get().ctx.bruteForce.lockout.onLockTriggered((info) => void locks.push(info));
  };

  it('locks one address out of one account, progressively, even with the right password; others still get in', async () => {
    listen();
    const t = app.get();
    const user = await t.createUser();
    const attacker = '198.51.100.66';
    expect((await loginFrom(t, attacker, user.email, 'wrong-1')).statusCode).toBe(400);
    expect((await loginFrom(t, attacker, user.email, 'wrong-2')).statusCode).toBe(400);
    // The failure that reaches the threshold is still answered as a failure, then the lock holds.
    expect((await loginFrom(t, attacker, user.email, 'wrong-3')).json()).toEqual({ detail: 'Incorrect email or password' });
    expectTooMany(await loginFrom(t, attacker, user.email, user.password), 60, 'failures');
    expect(locks.at(-1)).toMatchObject({ scope: 'account-ip', username: user.email, ip: attacker, failures: 3, lockSeconds: 60 });
    expect(locks.at(-1)?.userAgent).toBe('lightMyRequest');
    const audit = await t.request({
      method: 'GET',
      url: `/api/v1/audit-events?type=login.locked&user_id=${user.id}`,
      headers: await t.superuserAuth(),
    });
    expect(audit.json().data[0]).toMatchObject({
      target_id: user.id,
      ip: attacker,
      user_agent: 'lightMyRequest',
      details: { scope: 'account-ip', username: user.email, failures: 3, lock_seconds: 60 },
    });
    // The owner, elsewhere, is not affected.
    expect((await loginFrom(t, '198.51.100.67', user.email, user.password)).statusCode).toBe(200);

    clock.advance(59);
    expectTooMany(await loginFrom(t, attacker, user.email, user.password), 1, 'failures');
    clock.advance(1);
    expect((await loginFrom(t, attacker, user.email, 'wrong-4')).statusCode).toBe(400);
    expectTooMany(await loginFrom(t, attacker, user.email, 'wrong-5'), 120, 'failures');
    clock.advance(120);
    await loginFrom(t, attacker, user.email, 'wrong-5');
    // 60 × 2² = 240, capped at 200.
    expectTooMany(await loginFrom(t, attacker, user.email, 'wrong-6'), 200, 'failures');
    expect(locks.at(-1)).toMatchObject({ scope: 'account-ip', failures: 5, lockSeconds: 200 });
    clock.advance(200);

    expect((await loginFrom(t, attacker, user.email, user.password)).statusCode).toBe(200);
  });

  it('a successful login forgives that address its failures on the account', async () => {
    const t = app.get();
    const user = await t.createUser();
    const typist = '198.51.100.68';
    await loginFrom(t, typist, user.email, 'typo-1');
    await loginFrom(t, typist, user.email, 'typo-2');
    expect((await loginFrom(t, typist, user.email, user.password)).statusCode).toBe(200);
    await loginFrom(t, typist, user.email, 'typo-3');
    await loginFrom(t, typist, user.email, 'typo-4');
    // Four failures in all, but never three since the last success.
    expect((await loginFrom(t, typist, user.email, user.password)).statusCode).toBe(200);
  });

  it('locks an unknown username the same way (no account enumeration)', async () => {
    const t = app.get();
    const nobody = uniqueEmail('nobody');
    for (let i = 0; i < 3; i++) expect((await loginFrom(t, '198.51.100.70', nobody, 'wrong')).statusCode).toBe(400);
    expectTooMany(await loginFrom(t, '198.51.100.70', nobody, 'wrong'), 60, 'failures');
  });

  it('does not count a right password on an inactive account as a failure', async () => {
    const t = app.get();
    const user = await t.createUser({ isActive: false });
    for (let i = 0; i < 4; i++) {
      expect((await loginFrom(t, '198.51.100.71', user.email, user.password)).json()).toEqual({ detail: 'Inactive user' });
    }
  });

  it('locks the account for everyone, briefly, after many failures from many addresses', async () => {
    const t = app.get();
    const user = await t.createUser();
    for (let i = 0; i < 6; i++) await loginFrom(t, `203.0.113.${i + 1}`, user.email, 'wrong');
    expectTooMany(await loginFrom(t, '192.0.2.1', user.email, user.password), 30, 'failures');
    expect(locks.at(-1)).toMatchObject({ scope: 'account', username: user.email, failures: 6, lockSeconds: 30 });
    clock.advance(30);
    expect((await loginFrom(t, '192.0.2.1', user.email, user.password)).statusCode).toBe(200);
    // Further failures lengthen it only up to the short cap...
    await loginFrom(t, '203.0.113.50', user.email, 'wrong');
    expectTooMany(await loginFrom(t, '192.0.2.2', user.email, user.password), 45, 'failures');
    // ...and the address the owner just logged in from is exempt from the account-wide lock.
    expect((await loginFrom(t, '192.0.2.1', user.email, user.password)).statusCode).toBe(200);
    clock.advance(45);
  });

  it('an address stays known for 30 days after its latest login, not its first', async () => {
    const t = app.get();
    const user = await t.createUser();
    const owner = '198.51.100.85';
    expect((await loginFrom(t, owner, user.email, user.password)).statusCode).toBe(200);
    clock.advance(20 * 86400);
    expect((await loginFrom(t, owner, user.email, user.password)).statusCode).toBe(200);
    clock.advance(20 * 86400);
    // 40 days after the first login and 20 after the latest: the owner is still exempt from the account-wide lock.
    for (let i = 0; i < 6; i++) await loginFrom(t, `203.0.113.${150 + i}`, user.email, 'wrong');
    expectTooMany(await loginFrom(t, '192.0.2.20', user.email, user.password), 30, 'failures');
    expect((await loginFrom(t, owner, user.email, user.password)).statusCode).toBe(200);
    clock.advance(45);
  });

  it('a password reset ends every lock on the account, and the owner gets in from the locked address', async () => {
    const t = app.get();
    const user = await t.createUser();
    const owner = '198.51.100.80';
    for (let i = 0; i < 3; i++) await loginFrom(t, owner, user.email, 'forgotten');
    for (let i = 0; i < 6; i++) await loginFrom(t, `203.0.113.${100 + i}`, user.email, 'wrong');
    expect((await loginFrom(t, owner, user.email, user.password)).statusCode).toBe(429);
    expect((await loginFrom(t, '192.0.2.9', user.email, user.password)).statusCode).toBe(429);

    const token = await t.ctx.oneTimeTokens.issue(t.database.handle.db, user.id, 'password_reset', user.email);
    const reset = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      remoteAddress: owner,
      payload: { token, new_password: 'a-fresh-start-password' },
    });
    expect(reset.statusCode).toBe(200);
    expect((await loginFrom(t, owner, user.email, 'a-fresh-start-password')).statusCode).toBe(200);
    expect((await loginFrom(t, '203.0.113.100', user.email.toUpperCase(), 'a-fresh-start-password')).statusCode).toBe(200);
  });

  it('a failed reset clears nothing', async () => {
    const t = app.get();
    const user = await t.createUser();
    for (let i = 0; i < 3; i++) await loginFrom(t, '198.51.100.90', user.email, 'wrong');
    const reset = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token: 'not-a-token', new_password: 'a-fresh-start-password' },
    });
    expect(reset.statusCode).toBe(400);
    expect((await loginFrom(t, '198.51.100.90', user.email, user.password)).statusCode).toBe(429);
  });
});

describe('limits on the other routes', () => {
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const app = useTestApp({
    clock,
    env: {
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_SIGNUP_PER_IP: '2/1h',
      RATE_LIMIT_SIGNUP_PER_EMAIL: '1/1h',
      RATE_LIMIT_RECOVERY_PER_IP: '3/1h',
      RATE_LIMIT_RECOVERY_PER_EMAIL: '2/1h',
      RATE_LIMIT_RESET_PER_IP: '2/1h',
      RATE_LIMIT_VERIFICATION_PER_IP: '1/1h',
      RATE_LIMIT_PRIVATE_PER_IP: '2/1m',
    },
  });
  const post = (url: string, ip: string, payload?: object, headers: Record<string, string> = {}) =>
    app.get().request({ method: 'POST', url, remoteAddress: ip, payload, headers });

  it('sign-up: per address and per email', async () => {
    const email = uniqueEmail('signup');
    expect((await post('/api/v1/users/signup', '198.51.100.1', { email, password: 'a-good-password' })).statusCode).toBe(200);
    // The same email again, from elsewhere: refused by the per-email limit before the duplicate check.
    expectTooMany(await post('/api/v1/users/signup', '198.51.100.2', { email, password: 'a-good-password' }), 3600);
    const other = { email: uniqueEmail('signup'), password: 'a-good-password' };
    expect((await post('/api/v1/users/signup', '198.51.100.1', other)).statusCode).toBe(200);
    const third = { email: uniqueEmail('signup'), password: 'a-good-password' };
    expectTooMany(await post('/api/v1/users/signup', '198.51.100.1', third), 3600);
    clock.advance(3600);
    expect((await post('/api/v1/users/signup', '198.51.100.1', third)).statusCode).toBe(200);
  });

  it('password recovery: per email and per address, same answer for unknown emails', async () => {
    const email = uniqueEmail('recover');
    const recover = (address: string, ip: string) => post(`/api/v1/password-recovery/${address}`, ip);
    expect((await recover(email, '198.51.100.3')).statusCode).toBe(200);
    expect((await recover(email.toUpperCase(), '198.51.100.4')).statusCode).toBe(200);
    expectTooMany(await recover(email, '198.51.100.5'), 3600);
    expect((await recover(uniqueEmail(), '198.51.100.3')).statusCode).toBe(200);
    expect((await recover(uniqueEmail(), '198.51.100.3')).statusCode).toBe(200);
    expectTooMany(await recover(uniqueEmail(), '198.51.100.3'), 3600);
    clock.advance(3600);
  });

  it('reset: per address', async () => {
    const reset = () => post('/api/v1/reset-password/', '198.51.100.6', { token: 'guess', new_password: 'a-good-password' });
    expect((await reset()).statusCode).toBe(400);
    expect((await reset()).statusCode).toBe(400);
    expectTooMany(await reset(), 3600);
    clock.advance(3600);
  });

  it('verification resend: per address', async () => {
    const t = app.get();
    const a = await t.createUser();
    const b = await t.createUser();
    clock.advance(61); // past the once-a-minute-per-user rule of the resend itself
    const resend = (auth: Record<string, string>) => post('/api/v1/users/me/verification-email', '198.51.100.7', undefined, auth);
    expect((await resend(a.auth)).statusCode).toBe(200);
    expectTooMany(await resend(b.auth), 3600);
    clock.advance(3600);
  });

  it('private routes: per address', async () => {
    const create = (ip: string) =>
      post('/api/v1/private/users/', ip, { email: uniqueEmail('seed'), password: 'seed-password', full_name: 'Seed' });
    expect((await create('198.51.100.8')).statusCode).toBe(200);
    expect((await create('198.51.100.8')).statusCode).toBe(200);
    expectTooMany(await create('198.51.100.8'), 60);
    expect(
      (await app.get().request({ method: 'GET', url: '/api/v1/private/emails/', remoteAddress: '198.51.100.8' })).statusCode,
    ).toBe(429);
    expect((await create('198.51.100.9')).statusCode).toBe(200);
  });
});

describe('ENVIRONMENT=local without RATE_LIMIT_ENABLED', () => {
  const app = useTestApp({
    env: { RATE_LIMIT_LOGIN_PER_IP: '1/1m', RATE_LIMIT_SIGNUP_PER_IP: '1/1h', LOGIN_LOCK_AFTER_FAILURES: '2' },
  });

  it('has no rate limits, but the login lockout still holds', async () => {
    const t = app.get();
    expect(t.ctx.config.environment).toBe('local');
    for (let i = 0; i < 3; i++) {
      const signup = await t.request({
        method: 'POST',
        url: '/api/v1/users/signup',
        remoteAddress: '198.51.100.1',
        payload: { email: uniqueEmail(), password: 'correct-horse-battery' },
      });
      expect(signup.statusCode).toBe(200);
    }
    const user = await t.createUser();
    expect((await loginFrom(t, '198.51.100.1', user.email, 'wrong-1')).statusCode).toBe(400);
    expect((await loginFrom(t, '198.51.100.1', user.email, 'wrong-2')).statusCode).toBe(400);
    expectTooMany(await loginFrom(t, '198.51.100.1', user.email, user.password), 60, 'failures');
  });
});

describe('RATE_LIMIT_ENABLED=false', () => {
  const app = useTestApp({ env: { RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_LOGIN_PER_IP: '1/1m' } });

  it('turns the rate limits off', async () => {
    for (let i = 0; i < 3; i++) expect((await loginFrom(app.get(), '198.51.100.1', uniqueEmail(), 'wrong')).statusCode).toBe(400);
  });
});

describe('common passwords', () => {
  const app = useTestApp();
  const tooCommon = (field: string) => ({
    detail: [{ loc: ['body', field], msg: 'Password is too common', type: 'value_error' }],
  });

  it('are refused at sign-up, in any letter case', async () => {
    const t = app.get();
    for (const password of ['password', 'PassWord', 'iloveyou', 'qwertyuiop']) {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/users/signup',
        payload: { email: uniqueEmail('common'), password },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toEqual(tooCommon('password'));
    }
  });

  it('are refused when an admin creates or updates a user', async () => {
    const t = app.get();
    const admin = await t.superuserAuth();
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/users/',
      headers: admin,
      payload: { email: uniqueEmail('common'), password: 'Sunshine1' },
    });
    expect(created.statusCode).toBe(422);
    expect(created.json()).toEqual(tooCommon('password'));
    const user = await t.createUser();
    const updated = await t.request({
      method: 'PATCH',
      url: `/api/v1/users/${user.id}`,
      headers: admin,
      payload: { password: 'baseball' },
    });
    expect(updated.json()).toEqual(tooCommon('password'));
  });

  it('are refused as a new password by change and reset', async () => {
    const t = app.get();
    const user = await t.createUser();
    const changed = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: user.auth,
      payload: { current_password: user.password, new_password: 'football' },
    });
    expect(changed.statusCode).toBe(422);
    expect(changed.json()).toEqual(tooCommon('new_password'));
    const token = await t.ctx.oneTimeTokens.issue(t.database.handle.db, user.id, 'password_reset', user.email);
    const reset = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token, new_password: 'trustno1' },
    });
    expect(reset.json()).toEqual(tooCommon('new_password'));
    // The refused reset did not spend the token.
    const good = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token, new_password: 'an-uncommon-passphrase' },
    });
    expect(good.statusCode).toBe(200);
  });

  it('an uncommon password is accepted', async () => {
    const response = await app.get().request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email: uniqueEmail('fine'), password: 'password with more words' },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('REJECT_COMMON_PASSWORDS=false', () => {
  const app = useTestApp({ env: { REJECT_COMMON_PASSWORDS: 'false' } });

  it('accepts a common password', async () => {
    const response = await app.get().request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email: uniqueEmail('common'), password: 'password' },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('with the counters unreachable', () => {
  const app = useTestApp({
    env: { RATE_LIMIT_ENABLED: 'true', REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_LOGIN_PER_IP: '1/1m' },
  });

  it('requests go through (fail open) rather than failing login', async () => {
    const t = app.get();
    expect((await t.login(SUPERUSER.email, SUPERUSER.password)).statusCode).toBe(200);
    expect((await t.login(SUPERUSER.email, SUPERUSER.password)).statusCode).toBe(200);
  });
});
