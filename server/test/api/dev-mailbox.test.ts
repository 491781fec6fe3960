/**
 * The dev mailbox's Mailpit-compatible API (ENVIRONMENT=local without SMTP), walked the way
 * the FastAPI template's Playwright suite walks it, and EMAIL_VERIFICATION_ON_SIGNUP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/utils/clock.js';
import { startTestApp, type TestApp, uniqueEmail } from '../helpers/app.js';

const clock = new ManualClock();
let template: TestApp;
let verifying: TestApp;

// One start per hook: each app builds a fresh database, which is slow on a busy machine.
beforeAll(async () => {
  // The template's settings: no verification mail on sign-up.
  template = await startTestApp({ clock, env: { EMAIL_VERIFICATION_ON_SIGNUP: 'false' } });
});
beforeAll(async () => {
  verifying = await startTestApp({ clock });
});
afterAll(async () => {
  for (const t of [template, verifying]) {
    await t?.app.close();
    await t?.database.drop();
  }
});

const signup = (t: TestApp, email: string) =>
  t.request({ method: 'POST', url: '/api/v1/users/signup', payload: { email, password: 'signup-password', full_name: 'Ann' } });
/** Recovery answers before it looks the address up: wait for the mail to be queued. */
async function recover(t: TestApp, email: string) {
  const response = await t.request({ method: 'POST', url: `/api/v1/password-recovery/${encodeURIComponent(email)}` });
  await t.ctx.accountEmails.drain();
  return response;
}
const search = (t: TestApp, query: string, limit?: number) =>
  t.request({
    method: 'GET',
    url: `/dev/mailbox/api/v1/search?query=${encodeURIComponent(query)}${limit === undefined ? '' : `&limit=${limit}`}`,
  });

describe('Mailpit API of the dev mailbox', () => {
  it('the template flow: newest mail to an address, its HTML, the reset link in it', async () => {
    const email = uniqueEmail('ann');
    expect((await signup(template, email)).statusCode).toBe(200);
    clock.advance(1);
    expect((await recover(template, email)).statusCode).toBe(200);

    const found = await search(template, `to:${email}`, 1);
    expect(found.statusCode).toBe(200);
    const body = found.json();
    expect(body.messages).toHaveLength(1);
    expect(body.messages_count).toBe(1);
    const [message] = body.messages;
    expect(message).toMatchObject({
      ID: expect.stringMatching(/^[0-9a-f-]{36}$/),
      From: { Name: 'Roster Test' },
      To: [{ Name: '', Address: email }],
      Subject: `Roster Test - Password recovery for user ${email}`,
      Created: clock.now().toISOString(),
    });

    const view = await template.request({ method: 'GET', url: `/dev/mailbox/view/${message.ID}.html` });
    expect(view.statusCode).toBe(200);
    expect(view.headers['content-type']).toBe('text/html; charset=utf-8');
    const link = /href="[^"]*\/reset-password\?token=([^"&]+)"/.exec(view.body);
    expect(link).not.toBeNull();
    const reset = await template.request({
      method: 'POST',
      url: '/api/v1/reset-password/',
      payload: { token: decodeURIComponent(link?.[1] as string), new_password: 'a-brand-new-password' },
    });
    expect(reset.statusCode).toBe(200);
  });

  it('lists newest first, honours limit, matches the address in any case and only that address', async () => {
    const email = uniqueEmail('bob');
    const other = uniqueEmail('bobby');
    await template.createUser({ email });
    await template.createUser({ email: other });
    for (const address of [email, other, email]) {
      clock.advance(1);
      await recover(template, address);
    }
    const all = (await search(template, `to:${email.toUpperCase()}`)).json();
    expect(all.messages_count).toBe(2);
    expect(all.messages.map((m: { To: { Address: string }[] }) => m.To[0]?.Address)).toEqual([email, email]);
    expect(Date.parse(all.messages[0].Created)).toBeGreaterThan(Date.parse(all.messages[1].Created));

    const quoted = (await search(template, `to:"${email}"`, 1)).json();
    expect(quoted.messages).toHaveLength(1);
    expect(quoted.messages[0].ID).toBe(all.messages[0].ID);
  });

  it('every API answer tells the web app where the mailbox is', async () => {
    for (const url of ['/api/v1/utils/health-check/', '/api/v1/users/me', '/api/v1/no-such-route']) {
      const response = await template.request({ method: 'GET', url });
      expect(response.headers['x-roster-dev-mailbox'], url).toBe('/dev/mailbox');
    }
  });

  it('LIKE wildcards in the query are matched literally', async () => {
    const response = await search(template, 'to:%');
    expect(response.statusCode).toBe(200);
    expect(response.json().messages).toEqual([]);
  });

  it('unknown or malformed ids are 404; bad paging is 422, never 500', async () => {
    for (const file of ['00000000-0000-4000-8000-000000000000.html', 'nope.html', 'x', '%27.html']) {
      const response = await template.request({ method: 'GET', url: `/dev/mailbox/view/${file}` });
      expect(response.statusCode, file).toBe(404);
    }
    const bad = await template.request({ method: 'GET', url: '/dev/mailbox/api/v1/search?query=x&limit=-1' });
    expect(bad.statusCode).toBe(422);
  });

  it('does not exist outside ENVIRONMENT=local', async () => {
    const staging = await startTestApp({ env: { ENVIRONMENT: 'staging' } });
    try {
      const response = await staging.request({ method: 'GET', url: '/dev/mailbox/api/v1/search?query=to:a@example.com' });
      expect(response.statusCode).toBe(404);
      const view = await staging.request({ method: 'GET', url: '/dev/mailbox/view/00000000-0000-4000-8000-000000000000.html' });
      expect(view.statusCode).toBe(404);
      const health = await staging.request({ method: 'GET', url: '/api/v1/utils/health-check/' });
      expect(health.headers['x-roster-dev-mailbox']).toBeUndefined();
    } finally {
      await staging.app.close();
      await staging.database.drop();
    }
  }, 90_000);
});

describe('EMAIL_VERIFICATION_ON_SIGNUP', () => {
  it('true (the default): sign-up sends the verification link', async () => {
    const email = uniqueEmail('verify');
    expect((await signup(verifying, email)).statusCode).toBe(200);
    const { messages } = (await search(verifying, `to:${email}`)).json();
    expect(messages).toHaveLength(1);
    expect(messages[0].Subject).toMatch(/verify/i);
  });

  it('false: sign-up sends nothing, other mail still goes out', async () => {
    const email = uniqueEmail('quiet');
    expect((await signup(template, email)).statusCode).toBe(200);
    expect((await search(template, `to:${email}`)).json().messages).toEqual([]);
    await recover(template, email);
    expect((await search(template, `to:${email}`)).json().messages).toHaveLength(1);
  });
});
