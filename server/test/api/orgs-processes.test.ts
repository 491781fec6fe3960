/**
 * The active-organization claim across two Roster processes (issue 18): removing a member
 * in one process makes the other refuse their access token's org claim within 100 ms (the
 * org_member trigger's NOTIFY reaches its membership cache).
 */
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { stagingEnv, startTwoRosters, untilRefused } from '../helpers/process.js';

vi.setConfig({ testTimeout: 120_000 });

// The 100 ms bound is the issue's; on a starved CPU one measurement can miss it, so a miss is measured again.
describe.skipIf(!onPostgres)('the organization claim across two Roster processes', { retry: 2 }, () => {
  it('a member removed in one process has their org claim refused by the other within 100 ms', async () => {
    const database = await createPostgresDatabase('roster_orgs');
    const env = stagingEnv(database.url);
    const { a, b, stop } = await startTwoRosters(env);
    try {
      const json = { 'content-type': 'application/json' };
      const login = async (username: string, password: string) => {
        const response = await fetch(`${a.baseUrl}/api/v1/login/access-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username, password }),
        });
        return { authorization: `Bearer ${((await response.json()) as { access_token: string }).access_token}` };
      };
      const admin = await login(env.FIRST_SUPERUSER, env.FIRST_SUPERUSER_PASSWORD);
      const post = async (url: string, headers: Record<string, string>, body: unknown) => {
        const response = await fetch(`${a.baseUrl}${url}`, {
          method: 'POST',
          headers: { ...headers, ...json },
          body: JSON.stringify(body),
        });
        expect(response.status).toBe(200);
        return (await response.json()) as Record<string, string>;
      };
      const org = await post('/api/v1/orgs', admin, { name: 'Two processes', slug: 'two-processes' });
      const user = await post('/api/v1/users/', admin, {
        email: 'member@example.com',
        password: 'member-password-1',
        is_verified: true,
      });
      // The membership is set up directly: what is measured is its removal.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(`INSERT INTO org_member (org_id, user_id, role) VALUES ($1, $2, 'member')`, [org.id, user.id]);
      await client.end();

      const member = await login('member@example.com', 'member-password-1');
      const pair = await post('/api/v1/users/me/active-org', member, { org_id: org.id });
      const token = pair.access_token;
      const meOnB = () =>
        fetch(`${b.baseUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      expect(await meOnB()).toBe(200);

      const removed = await fetch(`${a.baseUrl}/api/v1/orgs/${org.id}/members/${user.id}`, { method: 'DELETE', headers: admin });
      expect(removed.status).toBe(200);
      const { status, latencyMs } = await untilRefused(meOnB);
      expect(status).toBe(403);
      const refused = await fetch(`${b.baseUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(await refused.json()).toEqual({ detail: 'Organization membership changed: refresh the token' });
      expect(latencyMs).toBeLessThan(100);
    } finally {
      await stop();
      await database.drop();
    }
  });
});
