import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPERUSER, startTestApp, type TestApp, uniqueEmail, useTestApp } from '../helpers/app.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

let smtp: TestSmtpServer;
let t: TestApp;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await startTestApp({ env: smtp.env() });
});
afterAll(async () => {
  await t.app.close();
  await t.database.drop();
  await smtp.stop();
});

describe('with SMTP configured', () => {
  it('POST /utils/test-email/ sends a test email: 201', async () => {
    const before = smtp.received.length;
    const to = uniqueEmail('inbox');
    const response = await t.request({
      method: 'POST',
      url: `/api/v1/utils/test-email/?email_to=${encodeURIComponent(to)}`,
      headers: await t.superuserAuth(),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ message: 'Test email sent' });
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.to).toEqual([to]);
    expect(mail?.subject).toBe('Roster Test - Test email');
    expect(mail?.parsed.from?.value[0]).toMatchObject({ address: 'noreply@roster.test', name: 'Roster Test' });
  });

  it('POST /utils/test-email/ is for superusers, 422 without a valid email_to', async () => {
    const user = await t.createUser();
    expect(
      (await t.request({ method: 'POST', url: '/api/v1/utils/test-email/?email_to=a@example.com', headers: user.auth }))
        .statusCode,
    ).toBe(403);
    for (const query of ['', '?email_to=not-an-email']) {
      const response = await t.request({
        method: 'POST',
        url: `/api/v1/utils/test-email/${query}`,
        headers: await t.superuserAuth(),
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().detail[0].loc).toEqual(['query', 'email_to']);
    }
  });

  it('password recovery mails a link that resets the password', async () => {
    const user = await t.createUser();
    const before = smtp.received.length;
    const response = await t.request({
      method: 'POST',
      url: `/api/v1/password-recovery/${encodeURIComponent(user.email.toUpperCase())}`,
    });
    expect(response.statusCode).toBe(200);
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail?.subject).toBe(`Roster Test - Password recovery for user ${user.email}`);
    expect(mail?.text).toContain('http://localhost:5173/reset-password?token=');
    const link = /href="(http:\/\/localhost:5173\/reset-password\?token=[^"]+)"/.exec(mail?.html ?? '')?.[1];
    const token = new URL(link as string).searchParams.get('token') as string;
    const reset = await t.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token, new_password: 'reset-by-mail-password' },
    });
    expect(reset.statusCode).toBe(200);
    expect((await t.login(user.email, 'reset-by-mail-password')).statusCode).toBe(200);
    // The owner is told, in a mail of its own (waited for, so that the next test counts only its own).
    const [notice] = (await smtp.waitFor(before + 2)).slice(before + 1);
    expect(notice?.to).toEqual([user.email]);
    expect(notice?.subject).toBe('Roster Test - Your password was changed');
  });

  it('admin create sends a new-account email', async () => {
    const before = smtp.received.length;
    const email = uniqueEmail('welcome');
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/users/',
      headers: await t.superuserAuth(),
      payload: { email, password: 'welcome-password' },
    });
    expect(response.statusCode).toBe(200);
    const mails = await smtp.waitFor(before + 1);
    expect(mails.slice(before).map((m) => m.subject)).toContain(`Roster Test - New account for user ${email}`);
  });
});

describe('when the mail server is down', () => {
  it('recovery still answers 200 and the test email answers 5xx', async () => {
    const down = await startSmtpServer();
    const env = down.env();
    await down.stop();
    const app = await startTestApp({ env });
    try {
      const user = await app.createUser();
      const recovery = await app.request({ method: 'POST', url: `/api/v1/password-recovery/${user.email}` });
      expect(recovery.statusCode).toBe(200);
      const test = await app.request({
        method: 'POST',
        url: '/api/v1/utils/test-email/?email_to=a@example.com',
        headers: await app.superuserAuth(),
      });
      expect(test.statusCode).toBeGreaterThanOrEqual(500);
      expect(test.json().detail).toBeTypeOf('string');
    } finally {
      await app.app.close();
      await app.database.drop();
    }
  });
});

describe('without mail configured (outside local)', () => {
  const ctx = useTestApp({ env: { ENVIRONMENT: 'production', FIRST_SUPERUSER_PASSWORD: 'a-strong-password-for-tests' } });
  it('the test email answers 503 and recovery still answers 200', async () => {
    const app = ctx.get();
    const test = await app.request({
      method: 'POST',
      url: '/api/v1/utils/test-email/?email_to=a@example.com',
      headers: await app.superuserAuth(),
    });
    expect(test.statusCode).toBe(503);
    expect(test.json()).toEqual({ detail: 'Email is not configured' });
    const recovery = await app.request({ method: 'POST', url: `/api/v1/password-recovery/${SUPERUSER.email}` });
    expect(recovery.statusCode).toBe(200);
  });
});
