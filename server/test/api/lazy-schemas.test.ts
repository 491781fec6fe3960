import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';

// Route schemas compile on first use (http/lazy-schemas.ts). These check that a route
// still validates and serializes exactly as before on its first request, and that
// every route's schemas compile: a broken one would otherwise only show on its route.
const ctx = useTestApp();

describe('route schemas compiled on first use', () => {
  it('leaves most schemas uncompiled until a route is used, and validates on the first request', async () => {
    const t = ctx.get();
    const before = t.schemas.pendingCount;
    expect(before).toBeGreaterThan(100);
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'password=x',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual([expect.objectContaining({ loc: ['body', 'username'], type: 'missing' })]);
    expect(t.schemas.pendingCount).toBeLessThan(before);
  });

  it('serializes a response by its schema on first use (no field beyond the schema)', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: await t.superuserAuth() });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.email).toBe('admin@example.com');
    expect(body).not.toHaveProperty('hashed_password');
  });

  it('compiles every remaining schema when idle, and every one compiles', async () => {
    const t = ctx.get();
    const errors: unknown[] = [];
    await t.schemas.warmUp((error) => errors.push(error));
    expect(errors).toEqual([]);
    expect(t.schemas.pendingCount).toBe(0);
    expect(() => t.schemas.compileAll()).not.toThrow();
  });
});
