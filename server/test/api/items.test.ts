import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/app.js';

const ctx = useTestApp();
const UNKNOWN_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

describe('items', () => {
  it('creates an item owned by the caller, ignoring a sent owner_id', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const other = await t.createUser();
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/items/',
      headers: user.auth,
      payload: { title: 'First', description: 'd', owner_id: other.id, id: UNKNOWN_ID },
    });
    expect(response.statusCode).toBe(200);
    const item = response.json();
    expect(item).toMatchObject({ title: 'First', description: 'd', owner_id: user.id });
    expect(item.id).not.toBe(UNKNOWN_ID);
    expect(Object.keys(item).sort()).toEqual(['created_at', 'description', 'id', 'owner_id', 'title']);
  });

  it('lists own items for a user, everyone’s with owner_email for a superuser', async () => {
    const t = ctx.get();
    const a = await t.createUser();
    const b = await t.createUser();
    for (const title of ['a1', 'a2', 'a3'])
      await t.request({ method: 'POST', url: '/api/v1/items/', headers: a.auth, payload: { title } });
    await t.request({ method: 'POST', url: '/api/v1/items/', headers: b.auth, payload: { title: 'b1' } });
    const mine = (await t.request({ method: 'GET', url: '/api/v1/items/', headers: a.auth })).json();
    expect(mine.count).toBe(3);
    expect(mine.data.map((i: { title: string }) => i.title)).toEqual(['a3', 'a2', 'a1']);
    expect(mine.data[0]).not.toHaveProperty('owner_email');
    const page = (await t.request({ method: 'GET', url: '/api/v1/items/?skip=1&limit=1', headers: a.auth })).json();
    expect(page).toMatchObject({ count: 3, data: [{ title: 'a2' }] });
    const all = (await t.request({ method: 'GET', url: '/api/v1/items/', headers: await t.superuserAuth() })).json();
    expect(all.count).toBeGreaterThanOrEqual(4);
    const b1 = all.data.find((i: { title: string }) => i.title === 'b1');
    expect(b1.owner_email).toBe(b.email);
  });

  it('GET, PUT (partial) and DELETE for the owner', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const item = (
      await t.request({
        method: 'POST',
        url: '/api/v1/items/',
        headers: user.auth,
        payload: { title: 'Orig', description: 'keep me' },
      })
    ).json();
    expect((await t.request({ method: 'GET', url: `/api/v1/items/${item.id}`, headers: user.auth })).json()).toEqual(item);
    const updated = await t.request({
      method: 'PUT',
      url: `/api/v1/items/${item.id}`,
      headers: user.auth,
      payload: { title: 'Changed', owner_id: UNKNOWN_ID },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ title: 'Changed', description: 'keep me', owner_id: user.id });
    const cleared = await t.request({
      method: 'PUT',
      url: `/api/v1/items/${item.id}`,
      headers: user.auth,
      payload: { description: null },
    });
    expect(cleared.json()).toMatchObject({ title: 'Changed', description: null });
    const deleted = await t.request({ method: 'DELETE', url: `/api/v1/items/${item.id}`, headers: user.auth });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ message: 'Item deleted successfully' });
    expect((await t.request({ method: 'GET', url: `/api/v1/items/${item.id}`, headers: user.auth })).statusCode).toBe(404);
  });

  it('404 Item not found before 403 Not enough permissions', async () => {
    const t = ctx.get();
    const owner = await t.createUser();
    const stranger = await t.createUser();
    const item = (
      await t.request({ method: 'POST', url: '/api/v1/items/', headers: owner.auth, payload: { title: 'private' } })
    ).json();
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const payload = method === 'PUT' ? { title: 'hijack' } : undefined;
      const forbidden = await t.request({ method, url: `/api/v1/items/${item.id}`, headers: stranger.auth, payload });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json()).toEqual({ detail: 'Not enough permissions' });
      const missing = await t.request({ method, url: `/api/v1/items/${UNKNOWN_ID}`, headers: stranger.auth, payload });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ detail: 'Item not found' });
    }
    expect((await t.request({ method: 'GET', url: `/api/v1/items/${item.id}`, headers: owner.auth })).json().title).toBe(
      'private',
    );
  });

  it('a superuser may read, change and delete anyone’s item', async () => {
    const t = ctx.get();
    const owner = await t.createUser();
    const auth = await t.superuserAuth();
    const item = (
      await t.request({ method: 'POST', url: '/api/v1/items/', headers: owner.auth, payload: { title: 'theirs' } })
    ).json();
    expect(
      (
        await t.request({ method: 'PUT', url: `/api/v1/items/${item.id}`, headers: auth, payload: { title: 'admin edit' } })
      ).json(),
    ).toMatchObject({ title: 'admin edit', owner_id: owner.id });
    expect((await t.request({ method: 'DELETE', url: `/api/v1/items/${item.id}`, headers: auth })).statusCode).toBe(200);
  });

  it.each([
    ['missing title', {}, ['body', 'title']],
    ['empty title', { title: '' }, ['body', 'title']],
    ['null title', { title: null }, ['body', 'title']],
    ['long title', { title: 't'.repeat(256) }, ['body', 'title']],
    ['long description', { title: 'ok', description: 'd'.repeat(256) }, ['body', 'description']],
    ['title as number', { title: 5 }, ['body', 'title']],
  ])('422 for %s', async (_name, payload, loc) => {
    const t = ctx.get();
    const user = await t.createUser();
    const response = await t.request({ method: 'POST', url: '/api/v1/items/', headers: user.auth, payload });
    expect(response.statusCode).toBe(422);
    expect(response.json().detail[0].loc).toEqual(loc);
  });

  it('stores hostile text verbatim', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    const title = `Robert'); DROP TABLE item;-- "quoted" <script>alert(1)</script> 日本語 🚀`;
    const item = (
      await t.request({ method: 'POST', url: '/api/v1/items/', headers: user.auth, payload: { title, description: '%_\\' } })
    ).json();
    expect((await t.request({ method: 'GET', url: `/api/v1/items/${item.id}`, headers: user.auth })).json()).toMatchObject({
      title,
      description: '%_\\',
    });
  });

  it('404 User not found, not 500, when the owner is deleted between the guard and the insert', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect((await t.request({ method: 'GET', url: '/api/v1/users/me', headers: user.auth })).statusCode).toBe(200);
    // Deleted with its notifications held back: this process's caches still hold the user and the
    // session, as they do in the moment between another process's delete and its NOTIFY arriving.
    await t.database.handle.exec(`
      ALTER TABLE "user" DISABLE TRIGGER user_deleted_notify;
      ALTER TABLE "session" DISABLE TRIGGER session_deleted_notify;
      DELETE FROM "user" WHERE id = '${user.id}';
      ALTER TABLE "user" ENABLE TRIGGER user_deleted_notify;
      ALTER TABLE "session" ENABLE TRIGGER session_deleted_notify;`);
    const response = await t.request({ method: 'POST', url: '/api/v1/items/', headers: user.auth, payload: { title: 'orphan' } });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'User not found' });
  });

  it('401 without a token, 422 for a non-UUID id', async () => {
    const t = ctx.get();
    const user = await t.createUser();
    expect((await t.request({ method: 'GET', url: '/api/v1/items/' })).statusCode).toBe(401);
    const bad = await t.request({ method: 'GET', url: '/api/v1/items/123', headers: user.auth });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0].loc).toEqual(['path', 'id']);
  });
});
