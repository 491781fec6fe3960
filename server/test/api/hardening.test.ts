import { describe, expect, it } from 'vitest';
import { uniqueEmail, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();
const json = { 'content-type': 'application/json' };

describe('malformed and hostile input', () => {
  it.each([
    ['malformed JSON', '{"email": "a@example.com", '],
    ['empty body', ''],
    ['an array', '[]'],
    ['a string', '"hello"'],
    ['null', 'null'],
  ])('422 for %s', async (_name, payload) => {
    const t = ctx.get();
    const response = await t.request({ method: 'POST', url: '/api/v1/users/signup', headers: json, payload });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc[0]).toBe('body');
  });

  it('422 for a body that is not JSON', async () => {
    const t = ctx.get();
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      headers: { 'content-type': 'text/plain' },
      payload: 'email=a@example.com',
    });
    expect(response.statusCode).toBe(422);
  });

  it('413 for a body over 1 MiB', async () => {
    const t = ctx.get();
    const payload = JSON.stringify({ email: uniqueEmail(), password: 'a-good-password', full_name: 'x'.repeat(1024 * 1024) });
    const response = await t.request({ method: 'POST', url: '/api/v1/users/signup', headers: json, payload });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ detail: 'Request body is too large' });
  });

  it('422 for U+0000 in a body, query or path string, and nothing is written', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const email = uniqueEmail('nul');
    const body = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email, password: 'pass\u0000word-long', full_name: 'x' },
    });
    expect(body.statusCode).toBe(422);
    expect(body.json().detail[0].loc).toEqual(['body', 'password']);
    expect(await t.ctx.users.getByEmail(email)).toBeNull();
    const item = await t.request({ method: 'POST', url: '/api/v1/items/', headers: user.auth, payload: { title: 'a\u0000b' } });
    expect(item.statusCode).toBe(422);
    const recovery = await t.request({ method: 'POST', url: '/api/v1/password-recovery/a%00b@example.com' });
    expect(recovery.statusCode).toBe(422);
    const login = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=a%00b&password=x',
    });
    expect(login.statusCode).toBe(422);
    const query = await t.request({ method: 'GET', url: '/api/v1/users/?q=a%00b', headers: await t.superuserAuth() });
    expect(query.statusCode).toBe(422);
  });

  it('never answers 5xx to a barrage of wrongly typed values', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const values = [
      null,
      true,
      0,
      -1,
      1.5,
      1e308,
      '',
      ' ',
      'x'.repeat(300),
      [],
      {},
      ['a'],
      { $ne: null },
      '😀',
      "' OR 1=1 --",
      '\u202e',
    ];
    const routes: [string, string, string[]][] = [
      ['POST', '/api/v1/users/signup', ['email', 'password', 'full_name']],
      ['PATCH', '/api/v1/users/me', ['email', 'full_name']],
      ['PATCH', '/api/v1/users/me/password', ['current_password', 'new_password']],
      ['POST', '/api/v1/items/', ['title', 'description']],
      ['POST', '/api/v1/reset-password/', ['token', 'new_password']],
      ['POST', '/api/v1/private/users/', ['email', 'password', 'full_name', 'is_verified']],
    ];
    for (const [method, url, fields] of routes) {
      for (const field of fields) {
        for (const value of values) {
          const response = await t.request({ method: method as 'POST', url, headers: user.auth, payload: { [field]: value } });
          expect(response.statusCode, `${method} ${url} ${field}=${JSON.stringify(value)}`).toBeLessThan(500);
        }
      }
    }
  });
});

describe('routing', () => {
  it('404 Not Found for an unknown path', async () => {
    const t = ctx.get();
    for (const url of ['/api/v1/nope', '/api/v1/users', '/api/v2/users/']) {
      const response = await t.request({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toEqual({ detail: 'Not Found' });
    }
  });

  it('405 Method Not Allowed for a known path', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'PUT', url: '/api/v1/users/signup' });
    expect(response.statusCode).toBe(405);
    expect(response.json()).toEqual({ detail: 'Method Not Allowed' });
    const withParam = await t.request({ method: 'POST', url: '/api/v1/users/3fa85f64-5717-4562-b3fc-2c963f66afa6' });
    expect(withParam.statusCode).toBe(405);
    expect(withParam.headers.allow).toContain('GET');
  });

  it('GET /utils/health-check/ answers true', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'GET', url: '/api/v1/utils/health-check/' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toBe(true);
  });
});

describe('docs, headers and CORS', () => {
  it('serves an OpenAPI 3 document with every contract path', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/login/access-token',
      '/api/v1/login/test-token',
      '/api/v1/password-recovery/{email}',
      '/api/v1/reset-password/',
      '/api/v1/password-recovery-html-content/{email}',
      '/api/v1/users/',
      '/api/v1/users/me',
      '/api/v1/users/me/password',
      '/api/v1/users/signup',
      '/api/v1/users/{user_id}',
      '/api/v1/items/',
      '/api/v1/items/{id}',
      '/api/v1/utils/test-email/',
      '/api/v1/utils/health-check/',
      '/api/v1/private/users/',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(JSON.stringify(doc)).not.toContain('hashed_password');
    // Fields with a default may be omitted: the document must not call them required.
    const createUser = doc.paths['/api/v1/users/'].post.requestBody.content['application/json'].schema;
    expect(createUser.required).toEqual(['email', 'password']);
    const listUsers = doc.paths['/api/v1/users/'].get.parameters;
    expect(listUsers.find((p: { name: string }) => p.name === 'skip').required).toBe(false);
  });

  it('serves the interactive docs', async () => {
    const t = ctx.get();
    const page = await t.request({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
  });

  it('sends security headers', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'GET', url: '/api/v1/utils/health-check/' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(response.headers['x-frame-options']).toBeDefined();
  });

  it('allows FRONTEND_HOST with credentials, and no other origin', async () => {
    const t = ctx.get();
    const preflight = await t.request({
      method: 'OPTIONS',
      url: '/api/v1/users/me',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.statusCode).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    const other = await t.request({
      method: 'GET',
      url: '/api/v1/utils/health-check/',
      headers: { origin: 'http://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
