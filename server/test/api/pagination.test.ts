/**
 * Keyset pagination (`cursor` / `next_cursor`) on the list routes, and `count`
 * staying exact (the unfiltered user count is kept by triggers, not counted).
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.js';
import { normalizeEmail } from '../../src/users/email-address.js';
import { useTestApp } from '../helpers/app.js';

const ctx = useTestApp();

interface UserOut {
  id: string;
  email: string;
  full_name: string | null;
  created_at: string;
}

const ORDERS = ['created_at', '-created_at', 'email', '-email', 'full_name', '-full_name'] as const;
const TAG = `pg${Date.now()}`;
const SAME_TIME = new Date('2026-03-01T12:00:00.123456Z');

beforeAll(async () => {
  // Rows that make keyset paging hard: equal timestamps (to the microsecond), equal and
  // NULL names, emails that differ only in case order — all ties broken by id.
  const t = ctx.get();
  const rows = Array.from({ length: 23 }, (_, i) => {
    const email = `${i % 2 ? 'A' : 'b'}${TAG}-${String(i).padStart(2, '0')}@example.com`;
    return {
      email,
      emailNormalized: normalizeEmail(email),
      hashedPassword: 'x',
      fullName: i % 3 === 0 ? null : i % 3 === 1 ? `Same Name ${TAG}` : `Name ${TAG} ${i}`,
      createdAt: i < 8 ? SAME_TIME : new Date(SAME_TIME.getTime() + i * 1000),
    };
  });
  await t.database.handle.db.insert(users).values(rows);
  // Sub-millisecond timestamps, which JavaScript dates cannot hold, must survive the cursor.
  await t.database.handle.db.execute(
    sql`UPDATE "user" SET created_at = created_at + interval '7 microseconds' WHERE email LIKE ${`%${TAG}-0%`}`,
  );
});

async function list(query: string): Promise<{ data: UserOut[]; count: number; next_cursor: string | null }> {
  const t = ctx.get();
  const response = await t.request({ method: 'GET', url: `/api/v1/users/?${query}`, headers: await t.superuserAuth() });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function walk(query: string, pageSize: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await list(`${query}&limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`);
    ids.push(...page.data.map((u) => u.id));
    cursor = page.next_cursor;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (cursor);
  return { ids, pages };
}

describe('GET /users/ with cursor', () => {
  it.each(ORDERS)('order_by=%s: cursor pages cover every row once, in the order of one big page', async (order) => {
    const all = await list(`q=${TAG}&order_by=${order}&limit=1000`);
    expect(all.count).toBe(23);
    expect(all.next_cursor).toBeNull();
    for (const size of [1, 4, 23]) {
      const walked = await walk(`q=${TAG}&order_by=${order}`, size);
      expect(walked.ids).toEqual(all.data.map((u) => u.id));
      expect(new Set(walked.ids).size).toBe(23);
    }
  });

  it('every order also pages correctly over all users, unfiltered', async () => {
    for (const order of ORDERS) {
      const all = await list(`order_by=${order}&limit=1000`);
      const walked = await walk(`order_by=${order}`, 7);
      expect(walked.ids).toEqual(all.data.map((u) => u.id));
    }
  });

  it('next_cursor is null on the last page and with limit=0; count ignores the cursor', async () => {
    const first = await list(`q=${TAG}&limit=20`);
    expect(first.next_cursor).toEqual(expect.any(String));
    const rest = await list(`q=${TAG}&limit=20&cursor=${first.next_cursor}`);
    expect(rest.data).toHaveLength(3);
    expect(rest.next_cursor).toBeNull();
    expect(rest.count).toBe(23);
    expect((await list(`q=${TAG}&limit=23`)).next_cursor).toBeNull();
    expect((await list(`q=${TAG}&limit=0`)).next_cursor).toBeNull();
  });

  it('a skip page hands out a cursor that continues after it, and skip applies after a cursor', async () => {
    const all = await list(`q=${TAG}&limit=100`);
    const ids = all.data.map((u) => u.id);
    const skipped = await list(`q=${TAG}&skip=5&limit=5`);
    expect(skipped.data.map((u) => u.id)).toEqual(ids.slice(5, 10));
    const continued = await list(`q=${TAG}&limit=5&cursor=${skipped.next_cursor}`);
    expect(continued.data.map((u) => u.id)).toEqual(ids.slice(10, 15));
    const skipAfter = await list(`q=${TAG}&skip=2&limit=3&cursor=${skipped.next_cursor}`);
    expect(skipAfter.data.map((u) => u.id)).toEqual(ids.slice(12, 15));
  });

  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const id = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
  it.each([
    ['not base64url', 'not a cursor!'],
    ['not JSON', Buffer.from('{{{').toString('base64url')],
    ['not a triple', encode({ a: 1 })],
    ['another order', encode(['email', 'a@example.com', id])],
    ['a non-UUID id', encode(['-created_at', '2026-01-01T00:00:00.000000Z', 'nope'])],
    ['an impossible date', encode(['-created_at', '2026-02-30T00:00:00.000000Z', id])],
    ['a malformed timestamp', encode(['-created_at', 'yesterday', id])],
    ['a NULL key where none can be', encode(['-created_at', null, id])],
    ['a number key', encode(['-created_at', 5, id])],
  ])('422 for a cursor with %s', async (_what, cursor) => {
    const t = ctx.get();
    const response = await t.request({
      method: 'GET',
      url: `/api/v1/users/?cursor=${encodeURIComponent(cursor)}`,
      headers: await t.superuserAuth(),
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc).toEqual(['query', 'cursor']);
  });

  it('a NULL name key is a valid position for order_by=full_name', async () => {
    const page = await list(`order_by=full_name&cursor=${encode(['full_name', null, id])}`);
    expect(page.data.every((u) => u.full_name === null)).toBe(true);
  });
});

describe('count', () => {
  it('stays exact through creations, deletions and filters', async () => {
    const t = ctx.get();
    const auth = await t.superuserAuth();
    const actual = async () => {
      const result = await t.database.handle.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM "user"`);
      return Number((result as unknown as { rows: { n: string }[] }).rows[0]?.n);
    };
    const before = await list('limit=1');
    expect(before.count).toBe(await actual());

    const created = await Promise.all([t.createUser(), t.createUser(), t.createUser({ isActive: false })]);
    expect((await list('limit=1')).count).toBe(before.count + 3);
    const deleted = await t.request({ method: 'DELETE', url: `/api/v1/users/${created[0].id}`, headers: auth });
    expect(deleted.statusCode).toBe(200);
    const self = await t.request({ method: 'DELETE', url: '/api/v1/users/me', headers: created[1].auth });
    expect(self.statusCode).toBe(200);
    expect((await list('limit=1')).count).toBe(before.count + 1);
    expect((await list('limit=1')).count).toBe(await actual());
    const inactive = await list('is_active=false&limit=1');
    const counted = await t.database.handle.db.execute<{ n: string }>(sql`SELECT count(*) AS n FROM "user" WHERE NOT is_active`);
    expect(inactive.count).toBe(Number((counted as unknown as { rows: { n: string }[] }).rows[0]?.n));
  });
});

describe('GET /items/ with cursor', () => {
  it('pages a user through their items and a superuser through all, without overlap or gaps', async () => {
    const t = ctx.get();
    const owner = await t.createUser();
    for (let i = 0; i < 9; i++) {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/items/',
        headers: owner.auth,
        payload: { title: `item ${i}` },
      });
      expect(response.statusCode).toBe(200);
    }
    for (const auth of [owner.auth, await t.superuserAuth()]) {
      const all = (await t.request({ method: 'GET', url: '/api/v1/items/?limit=1000', headers: auth })).json();
      expect(all.next_cursor).toBeNull();
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await t.request({ method: 'GET', url: `/api/v1/items/?${query}`, headers: auth })).json();
        expect(page.count).toBe(all.count);
        ids.push(...page.data.map((item: { id: string }) => item.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(ids).toEqual(all.data.map((item: { id: string }) => item.id));
    }
    const usersCursor = (await list('limit=1')).next_cursor;
    const mixed = await t.request({ method: 'GET', url: `/api/v1/items/?cursor=${usersCursor}`, headers: owner.auth });
    expect(mixed.statusCode).toBe(422);
    expect(mixed.json().detail[0].loc).toEqual(['query', 'cursor']);
  });
});
