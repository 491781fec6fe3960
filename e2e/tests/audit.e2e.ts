import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { canSignIn, createSuperuser, createUser, openSignedIn, updateUser } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, toast } from '../support/expect';

useBrowser();

function rowTypes(page: Page): Promise<string[]> {
  return page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.type ?? ''));
}

browserTest('the audit log shows one user’s events, filtered by type', async ({ page }) => {
  const user = await createUser(); // private.user_created
  expect(await canSignIn(user.email, 'not-the-password')).toBe(false); // login.failed
  await updateUser(user.id, { is_active: false }); // admin.user_updated, by the first superuser
  const admin = await createSuperuser();

  await openSignedIn(page, admin, '/admin');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expectPath(page, '/admin/audit');
  await page.goto(`/admin/audit?user=${user.id}`);
  await expect
    .poll(async () => (await rowTypes(page)).sort())
    .toEqual(['admin.user_updated', 'login.failed', 'private.user_created']);
  // Events read as sentences, people by name.
  await expectText(page.locator('tr[data-type="admin.user_updated"]'), `changed ${user.full_name}'s status`);
  await expectText(page.locator('tr[data-type="login.failed"]'), `A sign-in as ${user.full_name} failed: wrong password`);

  await page.getByLabel('Event').selectOption('login.failed');
  await expect.poll(() => rowTypes(page)).toEqual(['login.failed']);
  await page.getByRole('button', { name: 'Show everyone' }).click();
  await expect.poll(async () => new Set(await rowTypes(page))).toEqual(new Set(['login.failed']));
  expect(new URL(page.url()).searchParams.get('user')).toBeNull();
});

browserTest('a normal user cannot open the audit log', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/admin/audit');
  await expectPath(page, '/');
  await expectText(toast(page, 'error'), 'Your account cannot open this part of the admin area.');
});
