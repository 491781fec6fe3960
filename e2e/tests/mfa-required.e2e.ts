// MFA_REQUIRED=all: a user without a second factor is walked through setting one up at their
// first sign-in. The shared server runs without the setting, so this file starts its own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { uniqueEmail } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible } from '../support/expect';
import { type RunningServer, startServer } from '../support/server';
import { totpCode } from '../support/totp';

useBrowser();

// expect.poll gives up after 1 s by default; a busy machine renders slower than that.
const POLL = { timeout: 10_000 };

let server: RunningServer | undefined;
beforeAll(async () => {
  server = await startServer('mfa-required-server.log', { env: { MFA_REQUIRED: 'all' } });
});
afterAll(async () => {
  await server?.stop();
});

browserTest('where two-factor is required, the first sign-in sets up the authenticator app', async ({ page }) => {
  const url = server?.url ?? '';
  const email = uniqueEmail('required');
  const password = `pw-${randomUUID().slice(0, 12)}`;
  const created = await fetch(`${url}/api/v1/private/users/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, full_name: 'Mary Jackson', is_verified: true }),
  });
  expect(created.status).toBe(200);

  const signIn = async () => {
    await page.goto(`${url}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  };
  await signIn();
  await expectVisible(page.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' }));
  const secret = ((await page.locator('[data-totp-secret]').textContent()) ?? '').replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await page.getByLabel('Code from the app').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Turn on and sign in' }).click();

  // Signed in, with the recovery codes shown once before going on.
  await expect.poll(() => page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count(), POLL).toBe(10);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Mary Jackson');
  await expectPath(page, '/');

  // From now on the password is followed by the second step.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expectPath(page, '/login');
  await signIn();
  await expectVisible(page.getByRole('heading', { level: 1, name: 'Two-factor authentication' }));
});
