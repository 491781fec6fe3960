// Two-factor authentication from the browser: turning the authenticator app on in Settings
// (reading the secret off the page, as a person typing it into their app would), the second
// sign-in step with a code and with a recovery code, remembered browsers, and the admin reset.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { createSuperuser, createUser, enableTotp, openSignedIn, type TestUser, uniqueTag } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, formAlert, toast } from '../support/expect';
import { totpCode } from '../support/totp';

useBrowser();

// expect.poll gives up after 1 s by default; a busy machine renders slower than that.
const POLL = { timeout: 10_000 };

async function submitPassword(page: Page, user: Pick<TestUser, 'email' | 'password'>): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const secondStep = (page: Page) => page.getByRole('heading', { level: 1, name: 'Two-factor authentication' });

browserTest('turn on the authenticator app in Settings, then sign in through the second step', async ({ page }) => {
  const user = await createUser({ full_name: 'Grace Hopper' });
  await openSignedIn(page, user, '/settings');

  const security = page.getByRole('region', { name: 'Two-factor authentication' });
  await expectText(security, 'Off');
  await security.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const confirm = page.getByRole('dialog', { name: 'Turn on two-factor authentication' });
  await confirm.getByLabel('Current password').fill('not-my-password');
  await confirm.getByRole('button', { name: 'Continue' }).click();
  await expectText(formAlert(page), 'Incorrect password');
  await confirm.getByLabel('Current password').fill(user.password);
  await confirm.getByRole('button', { name: 'Continue' }).click();

  // The QR code is an image; the secret is there to type, in groups of four.
  await expectVisible(security.getByRole('img', { name: 'QR code to scan with your authenticator app' }));
  const shown = (await security.locator('[data-totp-secret]').textContent())?.trim() ?? '';
  expect(shown).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
  const secret = shown.replace(/\s+/g, '');

  const right = totpCode(secret);
  await security.getByLabel('Code from the app').fill(`${(Number(right[0]) + 5) % 10}${right.slice(1)}`);
  await security.getByRole('button', { name: 'Turn on' }).click();
  await expectText(security.getByRole('alert'), 'Invalid authentication code');
  await security.getByLabel('Code from the app').fill(totpCode(secret));
  await security.getByRole('button', { name: 'Turn on' }).click();
  await expectText(toast(page, 'success'), 'Two-factor authentication is on.');

  // Ten recovery codes, shown once, and a .txt with the same codes.
  const codes = security.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect.poll(() => codes.count(), POLL).toBe(10);
  const recoveryCodes = await codes.allInnerTexts();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    security.getByRole('button', { name: 'Download .txt' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^recovery-codes-127\.0\.0\.1-\d+\.txt$/);
  const file = await readFile(await download.path(), 'utf8');
  expect(file).toContain(`Recovery codes for ${user.email}`);
  for (const code of recoveryCodes) expect(file).toContain(`\r\n${code}\r\n`);
  await security.getByRole('button', { name: 'I have saved them' }).click();
  await expectText(security, '10 codes left');
  await expectText(security, 'On');

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await submitPassword(page, user);
  await expectVisible(secondStep(page));
  // The enrolment used this step's code: a code works once, so the app's next one.
  await page.getByLabel('Authentication code').fill(totpCode(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Grace Hopper');
  await expectText(toast(page, 'success'), 'Welcome back, Grace Hopper.');
});

browserTest('"remember this device" skips the second step until the browser is forgotten in Settings', async ({ page }) => {
  const user = await createUser({ full_name: 'Katherine Johnson' });
  const { secret } = await enableTotp(user, (s) => totpCode(s));
  await submitPassword(page, user);
  await expectVisible(secondStep(page));
  await page.getByLabel('Authentication code').fill(totpCode(secret, 1));
  await page.getByLabel('Remember this device').check();
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Katherine Johnson');

  // This browser is remembered: the next password sign-in skips the second step…
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await submitPassword(page, user);
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Katherine Johnson');

  // …until it is forgotten in Settings.
  await page.goto('/settings');
  const remembered = page.getByRole('list', { name: 'Remembered for two-factor sign-in' });
  await expect.poll(() => remembered.getByRole('listitem').count(), POLL).toBe(1);
  await remembered.getByRole('button', { name: /^Forget / }).click();
  await expectText(toast(page, 'success'), 'That browser will be asked for a code again.');
  await expect.poll(() => remembered.count(), POLL).toBe(0);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await submitPassword(page, user);
  await expectVisible(secondStep(page));
});

const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

browserTest(
  'sign in with a recovery code on a phone; the same code does not work twice',
  async ({ page }) => {
    const user = await createUser({ full_name: 'Alan Turing' });
    const { recoveryCodes } = await enableTotp(user, (secret) => totpCode(secret));

    await submitPassword(page, user);
    await expectVisible(secondStep(page));
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(` ${recoveryCodes[0]} `);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Alan Turing');
    await expectText(toast(page, 'info'), 'You used a recovery code: 9 codes are left.');

    await page.goto('/settings');
    await expectText(page.getByRole('region', { name: 'Two-factor authentication' }), '9 codes left');
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await submitPassword(page, user);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0] ?? '');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectText(formAlert(page), 'Invalid authentication code');
    await expectPath(page, '/login');
  },
  { viewport: { width: 375, height: 740 } },
);

browserTest('an admin sees who has two-factor on, filters on it, and resets it', async ({ page }) => {
  const admin = await createSuperuser();
  const tag = uniqueTag();
  const withMfa = await createUser({ prefix: `${tag}-on` });
  const without = await createUser({ prefix: `${tag}-off` });
  await enableTotp(withMfa, (secret) => totpCode(secret));

  await openSignedIn(page, admin, `/admin?q=${tag}&mfa=yes`);
  const rows = page.locator('tbody tr');
  await expect.poll(() => rows.count(), POLL).toBe(1);
  await expectText(rows, withMfa.email);
  await page.getByLabel('Two-factor').selectOption('no');
  await expect.poll(() => rows.allInnerTexts(), POLL).toEqual([expect.stringContaining(without.email)]);
  await page.getByLabel('Two-factor').selectOption('');
  await expect.poll(() => rows.count(), POLL).toBe(2);

  await page.getByRole('button', { name: `Edit ${withMfa.email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${withMfa.email}` });
  await dialog.getByRole('button', { name: 'Reset two-factor…' }).click();
  await expectText(dialog, 'signs them out everywhere');
  await dialog.getByRole('button', { name: 'Reset two-factor', exact: true }).click();
  await expectText(toast(page, 'success'), `Two-factor authentication is reset for ${withMfa.email}.`);
  await expectText(dialog, 'Off');

  // The password alone signs them in again.
  await page.context().clearCookies();
  await submitPassword(page, withMfa);
  await expectPath(page, '/');
});
