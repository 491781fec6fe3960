import { afterAll, describe, expect, it } from 'vitest';
import { emailOutbox } from '../../src/db/schema.js';
import { Outbox } from '../../src/email/outbox.js';
import { testEmail } from '../../src/email/templates.js';
import { ManualClock } from '../../src/utils/clock.js';
import { startTestApp, type TestApp, uniqueEmail, useTestApp } from '../helpers/app.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';
import { startSmtpServer, tokenFromMail } from '../helpers/smtp.js';

const content = testEmail({ projectName: 'Roster Test', frontendHost: 'http://localhost:5173' });

describe('delivery through an SMTP outage', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('five mails triggered while SMTP is down all arrive exactly once when it is back, and no request failed', async () => {
    const probe = await startSmtpServer();
    const { port } = probe;
    await probe.stop();
    const t: TestApp = await startTestApp({
      env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_TLS: 'false', EMAILS_FROM_EMAIL: 'noreply@roster.test' },
      emailWorker: { pollMs: 50, retryBaseMs: 100, maxRetryMs: 400 },
    });
    cleanups.push(async () => {
      await t.app.close();
      await t.database.drop();
    });

    const emails = Array.from({ length: 5 }, () => uniqueEmail('outage'));
    for (const email of emails) {
      const response = await t.request({
        method: 'POST',
        url: '/api/v1/users/signup',
        payload: { email, password: 'outage-password' },
      });
      expect(response.statusCode).toBe(200);
    }
    // Let the worker fail at least once against the closed port.
    await expect
      .poll(
        async () => {
          const rows = await t.database.handle.db.select({ attempts: emailOutbox.attempts }).from(emailOutbox);
          return rows.filter((r) => r.attempts > 0).length;
        },
        { timeout: 10_000 },
      )
      .toBe(5);

    const smtp = await startSmtpServer(port);
    cleanups.push(() => smtp.stop());
    await smtp.waitFor(5, 15_000);
    await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate to show up
    expect(smtp.received).toHaveLength(5);
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual([...emails].sort());
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(5);
    for (const mail of smtp.received) expect(() => tokenFromMail(mail, '/verify-email')).not.toThrow();
    const statuses = await t.database.handle.db.select({ status: emailOutbox.status }).from(emailOutbox);
    expect(statuses.every((s) => s.status === 'sent')).toBe(true);
  });
});

describe('waking the worker', () => {
  it('sends queued mail when its transaction commits, not at the next poll', async () => {
    const smtp = await startSmtpServer();
    // A poll far longer than the test: only the commit's notification can bring the mail in time.
    const t = await startTestApp({
      env: smtp.env(),
      emailWorker: { pollMs: 60_000 },
    });
    try {
      // The first pass at start-up finds nothing; from here on only a wake-up sends.
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 1; i <= 3; i++) {
        const email = uniqueEmail('prompt');
        const response = await t.request({
          method: 'POST',
          url: '/api/v1/users/signup',
          payload: { email, password: 'prompt-password' },
        });
        expect(response.statusCode).toBe(200);
        await smtp.waitFor(i, 3_000);
        expect(smtp.received.at(-1)?.to[0]).toBe(email);
      }
    } finally {
      await t.app.close();
      await t.database.drop();
      await smtp.stop();
    }
  });
});

/** An Outbox on a fresh database with a manual clock, dropped afterwards. */
async function withOutbox(
  test: (outbox: Outbox, db: TestDatabase['handle']['db'], clock: ManualClock) => Promise<void>,
): Promise<void> {
  const database = await freshDatabase();
  try {
    const clock = new ManualClock();
    await test(
      new Outbox(database.handle.db, { keepOnly: false, messageIdDomain: 'roster.test', clock }),
      database.handle.db,
      clock,
    );
  } finally {
    await database.drop();
  }
}

describe('Outbox claims', () => {
  it('a claimed message is not claimed again until its lease runs out, then keeps its Message-ID', () =>
    withOutbox(async (outbox, db, clock) => {
      await outbox.enqueue(db, 'test', 'a@example.com', content);
      const [first] = await outbox.claimDue(10, 120);
      expect(first?.attempts).toBe(1);
      expect(await outbox.claimDue(10, 120)).toEqual([]);
      clock.advance(121); // the worker that claimed it died mid-send
      const [again] = await outbox.claimDue(10, 120);
      expect(again?.id).toBe(first?.id);
      expect(again?.messageId).toBe(first?.messageId);
      expect(again?.attempts).toBe(2);
      await outbox.markSent(again?.id as string);
      clock.advance(1000);
      expect(await outbox.claimDue(10, 120)).toEqual([]);
    }));

  it('concurrent claimers split the messages without overlap', () =>
    withOutbox(async (outbox, db) => {
      for (let i = 0; i < 30; i++) await outbox.enqueue(db, 'test', `u${i}@example.com`, content);
      const batches = await Promise.all(Array.from({ length: 6 }, () => outbox.claimDue(7, 120)));
      const ids = batches.flat().map((row) => row.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(30);
    }));

  it('a message enqueued in a rolled-back transaction does not exist', () =>
    withOutbox(async (outbox, db) => {
      await db
        .transaction(async (tx) => {
          await outbox.enqueue(tx, 'test', 'a@example.com', content);
          throw new Error('the change failed');
        })
        .catch(() => {});
      expect(await outbox.claimDue(10, 120)).toEqual([]);
    }));

  it('purges mail older than the retention, but never pending mail', () =>
    withOutbox(async (outbox, db, clock) => {
      await outbox.enqueue(db, 'test', 'sent@example.com', content);
      await outbox.enqueue(db, 'test', 'pending@example.com', content);
      const claimed = await outbox.claimDue(1, 120);
      await outbox.markSent(claimed[0]?.id as string);
      clock.advance(31 * 86_400);
      await outbox.enqueue(db, 'test', 'recent@example.com', content);
      await outbox.purge(new Date(clock.now().getTime() - 30 * 86_400_000));
      const left = await db.select({ to: emailOutbox.toAddress }).from(emailOutbox);
      expect(left.map((r) => r.to).sort()).toEqual(['pending@example.com', 'recent@example.com']);
    }));
});

describe('the dev mailbox (ENVIRONMENT=local without SMTP)', () => {
  const ctx = useTestApp();

  it('keeps mail unsent and lists it with HTML, text and working links', async () => {
    const t = ctx.get();
    const email = uniqueEmail('mailbox');
    const password = 'mailbox-password';
    await t.request({ method: 'POST', url: '/api/v1/users/signup', payload: { email, password } });
    const list = await t.request({ method: 'GET', url: '/api/v1/private/emails/' });
    expect(list.statusCode).toBe(200);
    const mail = list.json().data.find((m: { to: string }) => m.to === email);
    expect(mail).toMatchObject({ status: 'kept', kind: 'verify_email', subject: `Roster Test - Verify your email ${email}` });
    const token = tokenFromMail(mail, '/verify-email');
    expect((await t.request({ method: 'POST', url: '/api/v1/users/verify-email', payload: { token } })).statusCode).toBe(200);
    const test = await t.request({
      method: 'POST',
      url: `/api/v1/utils/test-email/?email_to=${email}`,
      headers: await t.superuserAuth(),
    });
    expect(test.statusCode).toBe(201);
    const cleared = await t.request({ method: 'DELETE', url: '/api/v1/private/emails/' });
    expect(cleared.statusCode).toBe(200);
    expect((await t.request({ method: 'GET', url: '/api/v1/private/emails/' })).json()).toEqual({ data: [], count: 0 });
  });

  it('does not exist outside local', async () => {
    const t = await startTestApp({ env: { ENVIRONMENT: 'production', FIRST_SUPERUSER_PASSWORD: 'strong-password-here' } });
    try {
      expect((await t.request({ method: 'GET', url: '/api/v1/private/emails/' })).statusCode).toBe(404);
      // With mail off, nothing is written: no token, no outbox row.
      await t.request({
        method: 'POST',
        url: '/api/v1/users/signup',
        payload: { email: uniqueEmail(), password: 'some-password' },
      });
      expect(await t.database.handle.db.select().from(emailOutbox)).toEqual([]);
    } finally {
      await t.app.close();
      await t.database.drop();
    }
  });
});
