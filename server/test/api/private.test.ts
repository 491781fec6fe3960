import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, uniqueEmail, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();

describe('POST /private/users/ (ENVIRONMENT=local)', () => {
  it('creates an active non-superuser with is_verified stored as sent', async () => {
    const t = ctx.get();
    const email = uniqueEmail('seed');
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/private/users/',
      payload: { email, password: 'seed-password', full_name: 'Seeded', is_verified: true, is_superuser: true },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      email,
      full_name: 'Seeded',
      is_verified: true,
      is_active: true,
      is_superuser: false,
    });
    const stored = await t.ctx.users.getByEmail(email);
    expect(stored?.isVerified).toBe(true);
    const me = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: await t.authFor(email, 'seed-password') });
    expect(me.json().is_verified).toBe(true);
  });

  it('is_verified defaults to false', async () => {
    const t = ctx.get();
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/private/users/',
      payload: { email: uniqueEmail(), password: 'seed-password', full_name: 'Plain' },
    });
    expect(response.json().is_verified).toBe(false);
  });

  it('409 for an existing email in any letter case', async () => {
    const t = ctx.get();
    const existing = await t.createUser();
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/private/users/',
      payload: { email: existing.email.toUpperCase(), password: 'seed-password', full_name: 'Dup' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({ detail: 'User with this email already exists' });
  });

  it('20 concurrent requests for one email: exactly one 200 and nineteen 409', async () => {
    const t = ctx.get();
    const email = uniqueEmail('race');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.request({
          method: 'POST',
          url: '/api/v1/private/users/',
          payload: { email: i % 2 ? email.toUpperCase() : email, password: 'race-password', full_name: `Racer ${i}` },
        }),
      ),
    );
    const codes = responses.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    for (const r of responses.filter((x) => x.statusCode === 409))
      expect(r.json()).toEqual({ detail: 'User with this email already exists' });
    const list = await t.request({
      method: 'GET',
      url: `/api/v1/users/?q=${encodeURIComponent(email)}`,
      headers: await t.superuserAuth(),
    });
    expect(list.json().count).toBe(1);
  });

  it.each([
    ['invalid email', { email: 'nope', password: 'p', full_name: 'x' }, ['body', 'email']],
    ['missing full_name', { email: 'ok@example.com', password: 'p' }, ['body', 'full_name']],
    ['full_name over 255', { email: 'ok@example.com', password: 'p', full_name: 'n'.repeat(256) }, ['body', 'full_name']],
    [
      'is_verified as string',
      { email: 'ok@example.com', password: 'p', full_name: 'x', is_verified: 'true' },
      ['body', 'is_verified'],
    ],
    ['missing password', { email: 'ok@example.com', full_name: 'x' }, ['body', 'password']],
  ])('422 for %s', async (_name, payload, loc) => {
    const t = ctx.get();
    const response = await t.request({ method: 'POST', url: '/api/v1/private/users/', payload });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc).toEqual(loc);
  });
});

describe.each(['staging', 'production'])('with ENVIRONMENT=%s', (environment) => {
  let stop: (() => Promise<void>) | null = null;
  afterAll(async () => stop?.());

  it('the private route does not exist', async () => {
    const t = await startTestApp({ env: { ENVIRONMENT: environment, FIRST_SUPERUSER_PASSWORD: 'a-strong-password-for-tests' } });
    stop = async () => {
      await t.app.close();
      await t.database.drop();
    };
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/private/users/',
      payload: { email: uniqueEmail(), password: 'p', full_name: 'x' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Not Found' });
    const openapi = await t.request({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(Object.keys(openapi.json().paths).some((path) => path.includes('/private/'))).toBe(false);
  });
});
