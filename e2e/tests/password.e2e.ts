import { expect } from 'vitest';
import { canSignIn, createUser, resetTokenFor, uniqueEmail } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, formAlert, toast, watchRequests } from '../support/expect';

useBrowser();

browserTest('forgot password gives the same neutral confirmation for known and unknown emails', async ({ page }) => {
  const user = await createUser();
  const confirmationFor = async (email: string) => {
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await expectPath(page, '/recover-password');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expectText(page.getByRole('heading', { level: 1 }), 'Check your email');
    return page.locator('main').textContent();
  };
  const known = await confirmationFor(user.email);
  const unknown = await confirmationFor(uniqueEmail('nobody'));
  expect(known).toContain('If that email is registered, we sent a password recovery link');
  expect(unknown).toBe(known); // nothing on the page reveals whether the account exists
});

browserTest('reset password from the emailed link, then sign in with the new password', async ({ page }) => {
  const user = await createUser({ full_name: 'Reset Person' });
  const token = await resetTokenFor(user.email);
  await page.goto(`/reset-password?token=${encodeURIComponent(token)}`);
  await page.getByLabel('New password', { exact: true }).fill('brand-new-password');
  await page.getByLabel('Confirm new password').fill('brand-new-password');
  await page.getByRole('button', { name: 'Reset password' }).click();

  await expectPath(page, '/login');
  await expectText(toast(page, 'success'), 'Password updated');
  expect(await canSignIn(user.email, user.password)).toBe(false);

  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill('brand-new-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Reset Person');
});

browserTest('a reset link works once: used again it is refused', async ({ page }) => {
  const user = await createUser();
  const token = await resetTokenFor(user.email);
  const resetWith = async (password: string) => {
    await page.goto(`/reset-password?token=${encodeURIComponent(token)}`);
    await page.getByLabel('New password', { exact: true }).fill(password);
    await page.getByLabel('Confirm new password').fill(password);
    await page.getByRole('button', { name: 'Reset password' }).click();
  };
  await resetWith('first-new-password');
  await expectPath(page, '/login');
  await resetWith('second-new-password');
  await expectText(formAlert(page), 'Invalid token');
  expect(await canSignIn(user.email, 'first-new-password')).toBe(true);
  expect(await canSignIn(user.email, 'second-new-password')).toBe(false);
});

browserTest('an invalid reset token is refused with a way to ask for a new link', async ({ page }) => {
  await page.goto('/reset-password?token=not-a-real-token');
  await page.getByLabel('New password', { exact: true }).fill('brand-new-password');
  await page.getByLabel('Confirm new password').fill('brand-new-password');
  await page.getByRole('button', { name: 'Reset password' }).click();
  await expectText(formAlert(page), 'Invalid token');
  await expectPath(page, '/reset-password');
  await page.getByRole('link', { name: 'Request a new link' }).click();
  await expectPath(page, '/recover-password');
});

browserTest('reset password checks length and confirmation before sending', async ({ page }) => {
  const resets = watchRequests(page, '/reset-password/');
  await page.goto('/reset-password?token=whatever');
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('Confirm new password').fill('other');
  await page.getByRole('button', { name: 'Reset password' }).click();
  await expectText(page.locator('form'), 'New password must be at least 8 characters');
  await expectText(page.locator('form'), 'Passwords do not match');
  expect(resets.count()).toBe(0);
});

browserTest('the reset page without a token explains what is missing', async ({ page }) => {
  await page.goto('/reset-password');
  await expectText(page.getByRole('alert'), 'has no token');
  expect(await page.getByRole('button', { name: 'Reset password' }).count()).toBe(0);
});
