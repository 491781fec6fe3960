import { describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { startRoster } from '../helpers/process.js';

vi.setConfig({ testTimeout: 120_000 });

// The 100 ms bound is the issue's; on a starved CPU (two cores shared with the rest of the
// suite) one measurement can miss it, so a miss is measured again before it counts.
describe.skipIf(!onPostgres)('a role change across two Roster processes', { retry: 2 }, () => {
  it('a role revoked in one process stops opening its routes in the other within 100 ms', async () => {
    const database = await createPostgresDatabase('roster_roles');
    const env = {
      DATABASE_URL: database.url,
      ENVIRONMENT: 'staging',
      PROJECT_NAME: 'Roster',
      SECRET_KEY: 'a-production-secret-key-of-enough-length-123',
      FIRST_SUPERUSER: 'root@example.com',
      FIRST_SUPERUSER_PASSWORD: 'a-strong-admin-password',
    };
    const a = await startRoster(env);
    await a.ready();
    const b = await startRoster(env);
    try {
      await b.ready();
      const tokenFor = async (username: string, password: string) => {
        const login = await fetch(`${a.baseUrl}/api/v1/login/access-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username, password }),
        });
        return { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
      };
      const root = await tokenFor(env.FIRST_SUPERUSER, env.FIRST_SUPERUSER_PASSWORD);
      const json = { ...root, 'content-type': 'application/json' };
      const created = await fetch(`${a.baseUrl}/api/v1/users/`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'helper@example.com', password: 'a-helper-password' }),
      });
      const { id } = (await created.json()) as { id: string };
      const setRoles = (roles: string[]) =>
        fetch(`${a.baseUrl}/api/v1/users/${id}/roles`, { method: 'PUT', headers: json, body: JSON.stringify({ roles }) });
      expect((await setRoles(['support'])).status).toBe(200);
      const helper = await tokenFor('helper@example.com', 'a-helper-password');
      const listOnB = () => fetch(`${b.baseUrl}/api/v1/users/?limit=1`, { headers: helper }).then((r) => r.status);
      expect(await listOnB()).toBe(200);

      expect((await setRoles([])).status).toBe(200);
      const revokedAt = performance.now();
      let status = await listOnB();
      while (status === 200 && performance.now() - revokedAt < 2000) status = await listOnB();
      const latencyMs = performance.now() - revokedAt;
      expect(status).toBe(403);
      expect(latencyMs).toBeLessThan(100);

      // And a grant, the same way: B lets the helper in again without a new token.
      expect((await setRoles(['support'])).status).toBe(200);
      const grantedAt = performance.now();
      status = await listOnB();
      while (status === 403 && performance.now() - grantedAt < 2000) status = await listOnB();
      expect(status).toBe(200);
      expect(performance.now() - grantedAt).toBeLessThan(100);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await database.drop();
    }
  });
});
