/**
 * Hostile and malformed requests (issue 11, parts 1 and 2): deep, wide and long
 * bodies, forms where JSON is expected, every validation problem at once, 405
 * before authentication, and a sweep of every route in the OpenAPI document
 * with all of it, answered without a single 5xx.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_PAGE_LIMIT } from '../../src/http/schemas.js';
import { uniqueEmail, useTestApp } from '../helpers/app.js';

const ctx = useTestApp();
const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** `{"a":[[[…]]]}`: 8 KB of text, `depth` levels of arrays. */
const deepBody = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const wideArray = (field: string) => JSON.stringify({ [field]: Array.from({ length: 100_000 }, () => 0) });
const longString = (field: string) => JSON.stringify({ [field]: 'x'.repeat(1024 * 1024) });

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  method: Method;
  /** The path with each `{param}` replaced. */
  url: (param: string) => string;
  template: string;
  query: string[];
  /** Body fields, when the route takes a JSON or form body. */
  body: string[] | null;
  form: boolean;
}

/** Every documented route, from the app's own OpenAPI document. */
async function operations(): Promise<Operation[]> {
  const doc = (await ctx.get().request({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  const found: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
    for (const [method, op] of Object.entries(item)) {
      const parameters = (op.parameters ?? []) as { in: string; name: string }[];
      const content = (op.requestBody as { content?: Record<string, { schema: { properties?: object } }> } | undefined)?.content;
      const schema = content && Object.values(content)[0]?.schema;
      found.push({
        method: method.toUpperCase() as Method,
        template,
        url: (param) => template.replace(/\{[^}]+\}/g, param),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        body: schema ? Object.keys(schema.properties ?? {}) : null,
        form: Boolean(content?.['application/x-www-form-urlencoded']),
      });
    }
  }
  return found;
}

/** A fresh superuser for each route, so routes that end sessions cannot sign the sweep out. */
async function superuser() {
  return (await ctx.get().createUser({ isSuperuser: true })).auth;
}

describe('hostile bodies', () => {
  it('every JSON route answers a 4,000-deep body, a 100,000-element array and a 1 MiB string with a 4xx', async () => {
    const t = ctx.get();
    const routes = (await operations()).filter((op) => op.body !== null);
    expect(routes.length).toBeGreaterThan(8);
    for (const op of routes) {
      const headers = { ...json, ...(await superuser()) };
      const url = op.url(randomUUID());
      const field = op.body?.[0] ?? 'a';
      const deep = await t.request({ method: op.method, url, headers, payload: deepBody(4000) });
      expect(deep.statusCode, `${op.method} ${op.template} deep`).toBe(422);
      expect(deep.json().detail[0].type, `${op.method} ${op.template} deep`).toBe('json_too_deep');
      for (const [name, payload] of [
        ['wide', wideArray(field)],
        ['long', longString(field)],
      ]) {
        const response = await t.request({ method: op.method, url, headers, payload });
        expect(response.statusCode, `${op.method} ${op.template} ${name}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${op.method} ${op.template} ${name}`).toBeLessThan(500);
      }
    }
  });

  it('a body 100,000 levels deep is a 422, not a stack overflow', async () => {
    const t = ctx.get();
    const payload = deepBody(100_000);
    const response = await t.request({ method: 'POST', url: '/api/v1/users/signup', headers: json, payload });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail).toEqual([
      { loc: ['body'], msg: 'JSON should not be nested more than 32 levels deep', type: 'json_too_deep' },
    ]);
  });

  it('bodies at the depth limit are still parsed and validated', async () => {
    const t = ctx.get();
    const payload = `{"email":"a@example.com","password":"a-good-password","x":${'['.repeat(31)}${']'.repeat(31)}}`;
    const response = await t.request({ method: 'POST', url: '/api/v1/users/signup', headers: json, payload });
    expect(response.statusCode).toBe(200);
  });

  it('the health check answers while deep bodies arrive: each is refused by the depth check before any walk', async () => {
    const t = ctx.get();
    const payload = deepBody(4000);
    const [health, ...deep] = await Promise.all([
      t.request({ method: 'GET', url: '/api/v1/utils/health-check/' }),
      ...Array.from({ length: 8 }, () => t.request({ method: 'POST', url: '/api/v1/users/signup', headers: json, payload })),
    ]);
    expect(health?.statusCode).toBe(200);
    expect(health?.json()).toBe(true);
    // `json_too_deep` comes from the parser: JSON.parse, the NUL walk and validation never saw these bodies.
    for (const response of deep) expect(response.json().detail[0].type).toBe('json_too_deep');
  });
});

describe('JSON routes take JSON only', () => {
  it('a form body is 422 on JSON routes, so a cross-site HTML form cannot sign up or create users', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const email = uniqueEmail('form');
    for (const [url, headers] of [
      ['/api/v1/users/signup', form],
      ['/api/v1/private/users/', form],
      ['/api/v1/items/', { ...form, ...user.auth }],
    ] as const) {
      const payload = new URLSearchParams({ email, password: 'a-good-password', full_name: 'Form', title: 'x' }).toString();
      const response = await t.request({ method: 'POST', url, headers, payload });
      expect(response.statusCode, url).toBe(422);
      expect(response.json().detail).toEqual([
        { loc: ['body'], msg: 'Expected a JSON body (Content-Type: application/json)', type: 'model_attributes_type' },
      ]);
    }
    expect(await t.ctx.users.getByEmail(email)).toBeNull();
  });

  it('the two token routes still take a form', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const login = await t.login(user.email, user.password);
    expect(login.statusCode).toBe(200);
    const refresh = await t.request({
      method: 'POST',
      url: '/api/v1/login/refresh-token',
      headers: form,
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: login.json().refresh_token ?? 'x' }).toString(),
    });
    expect(refresh.statusCode, refresh.body).not.toBe(422);
  });
});

describe('every validation problem at once', () => {
  it('signup with {"email":"nope"} reports both body.email and body.password', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'POST', url: '/api/v1/users/signup', payload: { email: 'nope' } });
    expect(response.statusCode).toBe(422);
    const detail = response.json().detail as { loc: unknown[]; type: string }[];
    expect(detail.map((issue) => issue.loc)).toEqual(
      expect.arrayContaining([
        ['body', 'email'],
        ['body', 'password'],
      ]),
    );
    expect(detail).toHaveLength(2);
  });

  it('problems in the path, the query and the body are listed together, NUL characters included', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const put = await t.request({
      method: 'PUT',
      url: '/api/v1/items/not-a-uuid',
      headers: user.auth,
      payload: { title: 5, description: 'a\u0000b' },
    });
    expect(put.statusCode).toBe(422);
    expect(put.json().detail.map((issue: { loc: unknown[] }) => issue.loc)).toEqual([
      ['path', 'id'],
      ['body', 'title'],
      ['body', 'description'],
    ]);
    const list = await t.request({ method: 'GET', url: '/api/v1/users/?skip=-1&limit=x', headers: await t.superuserAuth() });
    expect(list.statusCode).toBe(422);
    expect(list.json().detail.map((issue: { loc: unknown[] }) => issue.loc)).toEqual(
      expect.arrayContaining([
        ['query', 'skip'],
        ['query', 'limit'],
      ]),
    );
  });

  it('a union of constants is one issue naming the allowed values', async () => {
    const t = ctx.get();
    const response = await t.request({ method: 'GET', url: '/api/v1/audit-events?type=nope', headers: await t.superuserAuth() });
    expect(response.statusCode).toBe(422);
    const detail = response.json().detail;
    expect(detail).toHaveLength(1);
    expect(detail[0]).toMatchObject({ loc: ['query', 'type'], type: 'enum' });
    expect(detail[0].msg).toContain("'login.failed'");
  });
});

describe('methods and paging', () => {
  it('an unsupported method on a known path is 405 before authentication', async () => {
    const t = ctx.get();
    for (const [method, url, allowed] of [
      ['DELETE', '/api/v1/users/', 'GET, HEAD, POST'],
      ['DELETE', '/api/v1/items/', 'GET, HEAD, POST'],
      ['PUT', '/api/v1/users/', 'GET, HEAD, POST'],
    ] as const) {
      const response = await t.request({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.json()).toEqual({ detail: 'Method Not Allowed' });
      expect(response.headers.allow, `${method} ${url}`).toBe(allowed);
    }
    // A path that only exists with a parameter is still unknown without one.
    expect((await t.request({ method: 'GET', url: '/api/v1/users//sessions' })).statusCode).toBe(404);
  });

  it(`page limit is at most ${MAX_PAGE_LIMIT}, and the OpenAPI document says so`, async () => {
    const t = ctx.get();
    const auth = await t.superuserAuth();
    for (const url of ['/api/v1/users/', '/api/v1/items/', '/api/v1/private/emails/']) {
      const over = await t.request({ method: 'GET', url: `${url}?limit=${MAX_PAGE_LIMIT + 1}`, headers: auth });
      expect(over.statusCode, url).toBe(422);
      expect(over.json().detail).toEqual([
        { loc: ['query', 'limit'], msg: `Input should be less than or equal to ${MAX_PAGE_LIMIT}`, type: 'less_than_equal' },
      ]);
      expect((await t.request({ method: 'GET', url: `${url}?limit=${MAX_PAGE_LIMIT}`, headers: auth })).statusCode).toBe(200);
    }
    const doc = (await t.request({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const path of ['/api/v1/users/', '/api/v1/items/']) {
      const limit = doc.paths[path].get.parameters.find((p: { name: string }) => p.name === 'limit');
      expect(limit.schema.maximum, path).toBe(MAX_PAGE_LIMIT);
    }
  });
});

describe('one validator for every route', () => {
  it('routes of plugins that add their own schemas (audit, sessions) follow the same rules', async () => {
    const t = ctx.get();
    // Fastify's own Ajv took 1e400 as a valid integer (Infinity) and sent it to the database.
    const audit = await t.request({ method: 'GET', url: '/api/v1/audit-events?limit=1e400', headers: await t.superuserAuth() });
    expect(audit.statusCode).toBe(422);
    expect(audit.json().detail).toEqual([
      { loc: ['query', 'limit'], msg: 'Input should be less than or equal to 500', type: 'less_than_equal' },
    ]);
    // JSON bodies are strict: a number is not a string (Fastify's Ajv coerced it).
    const refresh = await t.request({ method: 'POST', url: '/api/v1/login/refresh-token', payload: { refresh_token: 123 } });
    expect(refresh.statusCode).toBe(422);
    expect(refresh.json().detail[0]).toMatchObject({ loc: ['body', 'refresh_token'], type: 'string_type' });
  });
});

describe('sweep: every route, hostile and malformed input, no 5xx', () => {
  const badValues: unknown[] = [
    null,
    true,
    0,
    -1,
    1.5,
    1e308,
    '',
    ' ',
    'x'.repeat(5000),
    'a\u0000b',
    [],
    {},
    ['a'],
    { $ne: null },
    '😀',
    "' OR 1=1 --",
    '\u202e',
    '9999-12-31T23:59:60Z',
  ];
  const badText = ['', 'x', '-1', '1e400', '1.5', 'null', '%00', '%ZZ', 'x'.repeat(3000), '+275760-09-13T00:00:00Z'];
  const badParams = ['x', '00000000-0000-0000-0000-000000000000', '%00', '%E2%80%AE', 'x'.repeat(2000), '..%2F..'];
  const rawBodies = ['', '{', 'null', '[]', '"x"', '1', '{"__proto__":{"is_superuser":true}}', deepBody(4000)];

  it('answers each documented route below 500', async () => {
    const t = ctx.get();
    const failures: string[] = [];
    const send = async (label: string, options: Parameters<typeof t.request>[0]) => {
      const response = await t.request(options);
      if (response.statusCode >= 500) failures.push(`${label}: ${response.statusCode} ${response.body.slice(0, 200)}`);
    };
    for (const op of await operations()) {
      const auth = await superuser();
      const url = op.url(randomUUID());
      const label = `${op.method} ${op.template}`;
      for (const param of badParams) {
        if (op.template.includes('{'))
          await send(`${label} path=${param}`, { method: op.method, url: op.url(param), headers: auth });
      }
      for (const name of op.query) {
        for (const value of badText) {
          await send(`${label} ?${name}=${value}`, { method: op.method, url: `${url}?${name}=${value}`, headers: auth });
        }
        await send(`${label} ?${name} twice`, { method: op.method, url: `${url}?${name}=1&${name}=2`, headers: auth });
      }
      for (const payload of [...rawBodies, wideArray(op.body?.[0] ?? 'a'), longString(op.body?.[0] ?? 'a')]) {
        await send(`${label} body ${payload.slice(0, 20)}`, { method: op.method, url, headers: { ...json, ...auth }, payload });
      }
      await send(`${label} form`, { method: op.method, url, headers: { ...form, ...auth }, payload: 'a=1&a=2&%00=%00' });
      await send(`${label} text`, { method: op.method, url, headers: { 'content-type': 'text/plain', ...auth }, payload: 'x' });
      for (const field of op.body ?? []) {
        for (const value of badValues) {
          await send(`${label} ${field}=${JSON.stringify(value).slice(0, 20)}`, {
            method: op.method,
            url,
            headers: { ...json, ...auth },
            payload: JSON.stringify({ [field]: value }),
          });
          if (op.form && (typeof value === 'string' || typeof value === 'number')) {
            await send(`${label} form ${field}`, {
              method: op.method,
              url,
              headers: { ...form, ...auth },
              payload: new URLSearchParams({ [field]: String(value) }).toString(),
            });
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
