// The "done when", clicked through as a newcomer would: sign in as the first
// superuser, add a user, sign in as that user and change their password.
import { expect } from 'vitest';
import { canSignIn, FIRST_SUPERUSER, uniqueTag } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, toast } from '../support/expect';

useBrowser();

browserTest('first superuser adds a user, who signs in and changes their password', async ({ page }) => {
  const email = `${uniqueTag('newcomer')}@example.com`;

  await page.goto('/');
  await expectPath(page, '/login');
  await page.getByLabel('Email').fill(FIRST_SUPERUSER.email);
  await page.getByLabel('Password').fill(FIRST_SUPERUSER.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi,');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('button', { name: 'Add user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add user' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Full name').fill('New Colleague');
  await dialog.getByLabel('Password', { exact: true }).fill('first-password');
  await dialog.getByLabel('Confirm password').fill('first-password');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  await expectText(toast(page, 'success'), `Added ${email}.`);
  await page.getByRole('button', { name: 'Sign out' }).click();

  await expectPath(page, '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('first-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, New Colleague');
  expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const form = page.getByRole('region', { name: 'Change password' });
  await form.getByLabel('Current password').fill('first-password');
  await form.getByLabel('New password', { exact: true }).fill('second-password');
  await form.getByLabel('Confirm new password').fill('second-password');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expectText(toast(page, 'success'), 'Password changed.');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, '/login'); // sign-out first ends the session on the server

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('second-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, New Colleague');
  expect(await canSignIn(email, 'first-password')).toBe(false);
});
