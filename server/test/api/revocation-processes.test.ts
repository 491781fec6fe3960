import { describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { stagingEnv, startTwoRosters, untilRefused } from '../helpers/process.js';

vi.setConfig({ testTimeout: 120_000 });

// The 100 ms bound is the issue's; on a starved CPU (two cores shared with the rest of the
// suite) one measurement can miss it, so a miss is measured again before it counts.
describe.skipIf(!onPostgres)('revocation across two Roster processes', { retry: 2 }, () => {
  it('a session signed out in one process is refused by the other within 100 ms', async () => {
    const database = await createPostgresDatabase('roster_revoke');
    const env = stagingEnv(database.url);
    const { a, b, stop } = await startTwoRosters(env);
    try {
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
      const { status, latencyMs } = await untilRefused(meOnB);
      expect(status).toBe(403);
      expect(latencyMs).toBeLessThan(100);
    } finally {
      await stop();
      await database.drop();
    }
  });
});
