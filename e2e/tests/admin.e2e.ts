import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import {
  canSignIn,
  createSuperuser,
  createUser,
  getUser,
  openSignedIn,
  type TestUser,
  uniqueTag,
  updateUser,
  userExists,
} from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, formAlert, toast } from '../support/expect';

useBrowser();

/** Emails of the table rows, top to bottom. */
function rowEmails(page: Page): Promise<string[]> {
  return page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.email ?? ''));
}

async function search(page: Page, text: string) {
  await page.getByRole('searchbox', { name: 'Search by email or name' }).fill(text);
  await page.keyboard.press('Enter');
}

/** Users whose email and name share `tag`, so a search isolates them from other tests' users. */
async function taggedUsers(tag: string, names: string[]): Promise<TestUser[]> {
  return Promise.all(names.map((name) => createUser({ prefix: `${tag}-${name.toLowerCase()}`, full_name: `${name} ${tag}` })));
}

browserTest('a normal user has no admin link, and opening /admin sends them away', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/');
  await expectVisible(page.getByRole('link', { name: 'Items' }));
  expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);

  await page.goto('/admin');
  await expectPath(page, '/');
  await expectText(toast(page, 'error'), 'Your account cannot open this part of the admin area.');
  expect(await page.locator('table').count()).toBe(0);
});

browserTest('the users table: columns, search by email or name, filters, sort', async ({ page }) => {
  const admin = await createSuperuser();
  const tag = uniqueTag();
  const [zed, amy, bob] = await taggedUsers(tag, ['Zed', 'Amy', 'Bob']);
  if (!zed || !amy || !bob) throw new Error('setup');
  await updateUser(amy.id, { is_active: false });
  await updateUser(bob.id, { is_superuser: true });
  // Created after the other three, so it is the newest; the private route can mark it verified.
  const vic = await createUser({ prefix: `${tag}-vic`, full_name: `Vic ${tag}`, is_verified: true });

  await openSignedIn(page, admin, '/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expectPath(page, '/admin');
  await expect
    .poll(async () => (await page.locator('thead th').allTextContents()).slice(0, 7).map((h) => h.trim().toLowerCase()))
    .toEqual(['name', 'email', 'role', 'status', 'verified', 'two-factor', 'created']);

  await search(page, tag);
  await expect.poll(() => rowEmails(page)).toHaveLength(4);
  // Default order: newest first; "Oldest first" turns it round.
  expect((await rowEmails(page))[0]).toBe(vic.email);
  await page.getByLabel('Sort by').selectOption({ label: 'Oldest first' });
  await expect.poll(async () => (await rowEmails(page)).at(-1)).toBe(vic.email);

  // Search by name, case-insensitively.
  await search(page, `aMy ${tag.toUpperCase()}`);
  await expect.poll(() => rowEmails(page)).toEqual([amy.email]);
  const amyRow = page.locator(`tr[data-email="${amy.email}"]`);
  await expectText(amyRow, 'Inactive');
  await expectText(amyRow, 'User');

  await search(page, tag);
  await page.getByLabel('Status').selectOption({ label: 'Inactive' });
  await expect.poll(() => rowEmails(page)).toEqual([amy.email]);
  await page.getByLabel('Status').selectOption({ label: 'Any' });
  await page.getByLabel('Role').selectOption({ label: 'Superuser' });
  await expect.poll(() => rowEmails(page)).toEqual([bob.email]);
  await expectText(page.locator(`tr[data-email="${bob.email}"]`), 'Superuser');
  await page.getByLabel('Role').selectOption({ label: 'Any' });
  await page.getByLabel('Verified', { exact: true }).selectOption({ label: 'Verified' });
  await expect.poll(() => rowEmails(page)).toEqual([vic.email]);
  await page.getByLabel('Verified', { exact: true }).selectOption({ label: 'Not verified' });
  await expect.poll(() => rowEmails(page)).toHaveLength(3);
  await page.getByLabel('Verified', { exact: true }).selectOption({ label: 'Any' });

  await page.getByLabel('Sort by').selectOption({ label: 'Name A–Z' });
  await expect.poll(() => rowEmails(page)).toEqual([amy.email, bob.email, vic.email, zed.email]);
  await page.getByLabel('Sort by').selectOption({ label: 'Name Z–A' });
  await expect.poll(() => rowEmails(page)).toEqual([zed.email, vic.email, bob.email, amy.email]);
  await page.getByLabel('Sort by').selectOption({ label: 'Email A–Z' });
  await expect.poll(() => rowEmails(page)).toEqual([amy.email, bob.email, vic.email, zed.email]);

  // The view lives in the URL: a reload keeps search, filters and sort.
  await page.reload();
  await expect.poll(() => rowEmails(page)).toEqual([amy.email, bob.email, vic.email, zed.email]);
  expect(await page.getByRole('searchbox').inputValue()).toBe(tag);

  await search(page, `${tag}-nobody`);
  await expectText(page.locator('main'), 'No users match');
});

browserTest('the users table pages, and the page size can be changed', async ({ page }) => {
  const admin = await createSuperuser();
  const tag = uniqueTag();
  await taggedUsers(
    tag,
    Array.from({ length: 12 }, (_, i) => `P${String(i).padStart(2, '0')}`),
  );
  await openSignedIn(page, admin, '/admin');
  // Typing alone searches (after a short pause), no Enter needed.
  await page.getByRole('searchbox', { name: 'Search by email or name' }).fill(tag);
  await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(tag);
  const pager = page.getByRole('navigation', { name: 'Users pages' });
  await expectText(pager, '1–10 of 12');
  expect(await rowEmails(page)).toHaveLength(10);
  await pager.getByRole('button', { name: 'Next' }).click();
  await expectText(pager, '11–12 of 12');
  await expect.poll(() => rowEmails(page)).toHaveLength(2);
  expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
  await pager.getByRole('button', { name: 'Previous' }).click();
  await expectText(pager, '1–10 of 12');
  await pager.getByLabel('Per page').selectOption('25');
  await expectText(pager, '1–12 of 12');
  await expect.poll(() => rowEmails(page)).toHaveLength(12);
});

browserTest('add user: validation, duplicate email from the API, then success', async ({ page }) => {
  const admin = await createSuperuser();
  const existing = await createUser();
  const tag = uniqueTag();
  const email = `${tag}-new@example.com`;
  await openSignedIn(page, admin, '/admin');
  await page.getByRole('button', { name: 'Add user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add user' });
  const submit = () => dialog.getByRole('button', { name: 'Add user' }).click();

  await submit();
  await expectText(dialog, 'Email is required');
  await expectText(dialog, 'Password is required');

  await dialog.getByLabel('Email').fill(existing.email);
  await dialog.getByLabel('Password', { exact: true }).fill('initial-password');
  await dialog.getByLabel('Confirm password').fill('initial-password');
  await submit();
  await expectText(formAlert(page), 'The user with this email already exists in the system.');

  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Full name').fill(`New ${tag}`);
  await dialog.getByLabel('Superuser').check();
  await submit();
  await expectText(toast(page, 'success'), `Added ${email}.`);
  await dialog.waitFor({ state: 'hidden' });

  await search(page, tag);
  await expect.poll(() => rowEmails(page)).toEqual([email]);
  await expectText(page.locator(`tr[data-email="${email}"]`), 'Superuser');
  expect(await canSignIn(email, 'initial-password')).toBe(true);
});

browserTest('edit user: name, email, password, deactivate', async ({ page }) => {
  const admin = await createSuperuser();
  const tag = uniqueTag();
  const [user] = await taggedUsers(tag, ['Edith']);
  if (!user) throw new Error('setup');
  const newEmail = `${tag}-renamed@example.com`;
  await openSignedIn(page, admin, `/admin?q=${tag}`);
  await page.getByRole('button', { name: `Edit ${user.email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${user.email}` });
  expect(await dialog.getByLabel('Email').inputValue()).toBe(user.email);
  await dialog.getByLabel('Full name').fill(`Edited ${tag}`);
  await dialog.getByLabel('Email').fill(newEmail);
  await dialog.getByLabel('New password (optional)').fill('set-by-admin');
  await dialog.getByLabel('Confirm password').fill('set-by-admin');
  await dialog.getByLabel('Active').uncheck();
  await dialog.getByLabel('Verified').check();
  await dialog.getByRole('button', { name: 'Save user' }).click();

  await expectText(toast(page, 'success'), `Saved ${newEmail}.`);
  const row = page.locator(`tr[data-email="${newEmail}"]`);
  await expectText(row, `Edited ${tag}`);
  await expectText(row, 'Inactive');
  await expectText(row, 'Verified');
  expect(await getUser(user.id)).toMatchObject({
    email: newEmail,
    full_name: `Edited ${tag}`,
    is_active: false,
    is_verified: true,
  });
  await updateUser(user.id, { is_active: true });
  expect(await canSignIn(newEmail, 'set-by-admin')).toBe(true);
});

browserTest('delete user asks for confirmation', async ({ page }) => {
  const admin = await createSuperuser();
  const tag = uniqueTag();
  const [keep, remove] = await taggedUsers(tag, ['Keep', 'Remove']);
  if (!keep || !remove) throw new Error('setup');
  await openSignedIn(page, admin, `/admin?q=${tag}`);
  await expect.poll(() => rowEmails(page)).toHaveLength(2);

  await page.getByRole('button', { name: `Delete ${remove.email}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete user?' });
  await expectText(dialog, remove.email);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect(await userExists(remove.id)).toBe(true);

  await page.getByRole('button', { name: `Delete ${remove.email}` }).click();
  await dialog.getByRole('button', { name: 'Delete user' }).click();
  await expectText(toast(page, 'success'), `Deleted ${remove.email}.`);
  await expect.poll(() => rowEmails(page)).toEqual([keep.email]);
  expect(await userExists(remove.id)).toBe(false);
});

browserTest('the signed-in admin cannot delete, deactivate or demote themselves', async ({ page }) => {
  const admin = await createSuperuser();
  await openSignedIn(page, admin, `/admin?q=${encodeURIComponent(admin.email)}`);
  const row = page.locator(`tr[data-email="${admin.email}"]`);
  await expectText(row, 'You');
  expect(await row.getByRole('button', { name: `Delete ${admin.email}` }).isDisabled()).toBe(true);

  await row.getByRole('button', { name: `Edit ${admin.email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${admin.email}` });
  expect(await dialog.getByLabel('Active').isDisabled()).toBe(true);
  expect(await dialog.getByLabel('Superuser').isDisabled()).toBe(true);
  await expectText(dialog, 'You cannot change this for your own account.');
  // Saving other fields still works and leaves the flags alone.
  await dialog.getByLabel('Full name').fill('Still In Charge');
  await dialog.getByRole('button', { name: 'Save user' }).click();
  await expectText(toast(page, 'success'), 'Saved');
  expect(await getUser(admin.id)).toMatchObject({ full_name: 'Still In Charge', is_active: true, is_superuser: true });
});
