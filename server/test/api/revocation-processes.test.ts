import { describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { startRoster } from '../helpers/process.js';

vi.setConfig({ testTimeout: 120_000 });

describe.skipIf(!onPostgres)('revocation across two Roster processes', () => {
  it('a session signed out in one process is refused by the other within 100 ms', async () => {
    const database = await createPostgresDatabase('roster_revoke');
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
      const login = await fetch(`${a.baseUrl}/api/v1/login/access-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: env.FIRST_SUPERUSER, password: env.FIRST_SUPERUSER_PASSWORD }),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const meOnB = () =>
        fetch(`${b.baseUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      expect(await meOnB()).toBe(200);

      const out = await fetch(`${a.baseUrl}/api/v1/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(out.status).toBe(200);
      const revokedAt = performance.now();
      let status = await meOnB();
      while (status === 200 && performance.now() - revokedAt < 2000) status = await meOnB();
      const latencyMs = performance.now() - revokedAt;
      expect(status).toBe(403);
      expect(latencyMs).toBeLessThan(100);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await database.drop();
    }
  });
});
