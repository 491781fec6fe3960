import { describe, expect, it, vi } from 'vitest';
import { GENEROUS_LIMITS } from '../helpers/app.js';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { startRoster } from '../helpers/process.js';
import { startSmtpServer } from '../helpers/smtp.js';

vi.setConfig({ testTimeout: 120_000 });

describe.skipIf(!onPostgres)('two Roster processes draining one outbox', () => {
  it('send each mail exactly once', async () => {
    const database = await createPostgresDatabase('roster_outbox');
    const smtp = await startSmtpServer();
    const env = {
      ...GENEROUS_LIMITS, // 30 sign-ups from one address
      DATABASE_URL: database.url,
      ENVIRONMENT: 'staging',
      PROJECT_NAME: 'Roster',
      SECRET_KEY: 'a-production-secret-key-of-enough-length-123',
      FIRST_SUPERUSER: 'root@example.com',
      FIRST_SUPERUSER_PASSWORD: 'a-strong-admin-password',
      ...smtp.env(),
    };
    const first = await startRoster(env);
    await first.ready();
    const second = await startRoster(env);
    try {
      await second.ready();
      const emails = Array.from({ length: 30 }, (_, i) => `pair-${i}-${Date.now()}@example.com`);
      const responses = await Promise.all(
        emails.map((email, i) =>
          fetch(`${(i % 2 ? first : second).baseUrl}/api/v1/users/signup`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email, password: 'pair-password' }),
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(emails.map(() => 200));
      await smtp.waitFor(30, 20_000);
      await new Promise((r) => setTimeout(r, 3000)); // longer than a poll: a duplicate would show up
      expect(smtp.received).toHaveLength(30);
      expect(new Set(smtp.received.map((m) => m.to[0])).size).toBe(30);
      expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(30);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await smtp.stop();
      await database.drop();
    }
  });
});
