/**
 * ENVIRONMENT=local stays on this machine: loopback Host names only (against DNS
 * rebinding), and /private/* refuses cross-site requests and non-JSON bodies.
 */
import { describe, expect, it } from 'vitest';
import { startTestApp, uniqueEmail, useTestApp } from '../helpers/app.js';

const HOST_REFUSED = {
  detail: 'ENVIRONMENT=local answers only requests to localhost or a loopback address (ALLOW_LOCAL_ON_NETWORK=true lifts this)',
};

describe('ENVIRONMENT=local', () => {
  const app = useTestApp({ env: { TRUST_PROXY: 'true' } });
  const health = (host: string, headers: Record<string, string> = {}) =>
    app.get().request({ method: 'GET', url: '/api/v1/utils/health-check/', headers: { host, ...headers } });
  const createUser = (headers: Record<string, string>, payload: string) =>
    app.get().request({ method: 'POST', url: '/api/v1/private/users/', headers, payload });
  const seed = () => JSON.stringify({ email: uniqueEmail('seed'), password: 'seed-password', full_name: 'Seed' });

  it('answers requests whose Host is a loopback name or address', async () => {
    for (const host of ['localhost', 'localhost:8000', 'app.localhost:8000', '127.0.0.1:8000', '127.1.2.3', '[::1]:8000']) {
      expect((await health(host)).statusCode, host).toBe(200);
    }
  });

  it('refuses any other Host with a clear 403, whatever X-Forwarded-Host says', async () => {
    for (const host of [
      'rebind.attacker.example',
      'rebind.attacker.example:8000',
      '192.168.1.10:8000',
      'localhost.attacker.example',
      '[::2]',
    ]) {
      const response = await health(host);
      expect(response.statusCode, host).toBe(403);
      expect(response.json()).toEqual(HOST_REFUSED);
    }
    expect((await health('rebind.attacker.example', { 'x-forwarded-host': 'localhost' })).statusCode).toBe(403);
    const mailbox = await app
      .get()
      .request({ method: 'GET', url: '/api/v1/private/emails/', headers: { host: 'rebind.attacker.example' } });
    expect(mailbox.statusCode).toBe(403);
  });

  it('/private/* takes JSON only: a form or text/plain body creates nothing', async () => {
    const t = app.get();
    const email = uniqueEmail('form');
    const form = await createUser(
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ email, password: 'seed-password', full_name: 'Form' }).toString(),
    );
    expect(form.statusCode).toBe(422);
    expect(form.json().detail).toEqual([
      expect.objectContaining({ loc: ['body'], msg: 'Expected a JSON body (Content-Type: application/json)' }),
    ]);
    const text = await createUser(
      { 'content-type': 'text/plain' },
      JSON.stringify({ email, password: 'pw-123456', full_name: 'T' }),
    );
    expect(text.statusCode).toBe(422);
    expect(await t.ctx.users.getByEmail(email)).toBeNull();
    expect((await createUser({ 'content-type': 'application/json; charset=utf-8' }, seed())).statusCode).toBe(200);
  });

  it('/private/* refuses a cross-site Origin, and takes its own origin and FRONTEND_HOST', async () => {
    const json = { 'content-type': 'application/json' };
    const crossSite: Record<string, string>[] = [
      { origin: 'https://attacker.example' },
      { origin: 'null' },
      { origin: 'http://localhost:8001' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of crossSite) {
      const response = await createUser({ ...json, ...headers }, seed());
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json()).toEqual({ detail: 'Cross-site requests to the private routes are refused' });
      const mailbox = await app.get().request({ method: 'GET', url: '/api/v1/private/emails/', headers });
      expect(mailbox.statusCode).toBe(403);
    }
    expect((await createUser({ ...json, host: 'localhost:8000', origin: 'http://localhost:8000' }, seed())).statusCode).toBe(200);
    expect((await createUser({ ...json, origin: 'http://localhost' }, seed())).statusCode).toBe(200);
    expect((await createUser({ ...json, origin: 'http://localhost:5173' }, seed())).statusCode).toBe(200);
    expect((await createUser({ ...json, 'sec-fetch-site': 'same-origin' }, seed())).statusCode).toBe(200);
  });
});

describe('/private/* with FRONTEND_HOST naming several origins', () => {
  it('takes every listed origin, not only the first', async () => {
    const t = await startTestApp({ env: { FRONTEND_HOST: 'http://localhost:8000,http://localhost:5173' } });
    try {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/private/users/',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
        payload: { email: uniqueEmail('listed'), password: 'seed-password', full_name: 'Listed' },
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await t.app.close();
      await t.database.drop();
    }
  });
});

describe('ENVIRONMENT=local with ALLOW_LOCAL_ON_NETWORK=true', () => {
  it('answers any Host (a container reached by its service name)', async () => {
    const t = await startTestApp({ env: { ALLOW_LOCAL_ON_NETWORK: 'true' } });
    try {
      const response = await t.request({ method: 'GET', url: '/api/v1/utils/health-check/', headers: { host: 'roster:8000' } });
      expect(response.statusCode).toBe(200);
    } finally {
      await t.app.close();
      await t.database.drop();
    }
  });
});
