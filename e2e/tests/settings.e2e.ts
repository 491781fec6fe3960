import { expect } from 'vitest';
import { canSignIn, createSuperuser, createUser, getUser, openSignedIn, uniqueEmail, userExists } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, formAlert, toast } from '../support/expect';

useBrowser();

function section(page: import('playwright-core').Page, title: string) {
  return page.getByRole('region', { name: title });
}

browserTest('profile: change name and email, shown at once and kept', async ({ page }) => {
  const user = await createUser({ full_name: 'Old Name' });
  const newEmail = uniqueEmail('renamed');
  await openSignedIn(page, user, '/settings');
  const profile = section(page, 'Profile');
  await profile.getByLabel('Full name').fill('New Name');
  await profile.getByLabel('Email').fill(newEmail);
  await profile.getByRole('button', { name: 'Save profile' }).click();

  await expectText(toast(page, 'success'), 'Profile saved.');
  await expectText(toast(page, 'info'), `We sent a verification link to ${newEmail}.`);
  await expectText(page.getByRole('navigation', { name: 'Main' }), 'New Name');
  expect(await getUser(user.id)).toMatchObject({ full_name: 'New Name', email: newEmail });
  await page.reload();
  expect(await section(page, 'Profile').getByLabel('Email').inputValue()).toBe(newEmail);
});

browserTest('profile: an email that belongs to someone else is refused with the API message', async ({ page }) => {
  const user = await createUser();
  const other = await createUser();
  await openSignedIn(page, user, '/settings');
  const profile = section(page, 'Profile');
  await profile.getByLabel('Email').fill(other.email);
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expectText(formAlert(page), 'User with this email already exists');
  expect((await getUser(user.id)).email).toBe(user.email);
});

browserTest('profile: a malformed email is caught before sending', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  const profile = section(page, 'Profile');
  await profile.getByLabel('Email').fill('nope@');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expectText(profile, 'Enter a valid email address');
});

browserTest('change password: wrong current password, same password, then success', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  const form = section(page, 'Change password');
  const submit = () => form.getByRole('button', { name: 'Change password' }).click();

  await form.getByLabel('Current password').fill('not-my-password');
  await form.getByLabel('New password', { exact: true }).fill('a-new-password');
  await form.getByLabel('Confirm new password').fill('a-new-password');
  await submit();
  await expectText(form.getByRole('alert'), 'Incorrect password');

  await form.getByLabel('Current password').fill(user.password);
  await form.getByLabel('New password', { exact: true }).fill(user.password);
  await form.getByLabel('Confirm new password').fill(user.password);
  await submit();
  await expectText(form.getByRole('alert'), 'New password cannot be the same as the current one');

  await form.getByLabel('New password', { exact: true }).fill('a-new-password');
  await form.getByLabel('Confirm new password').fill('a-new-password');
  await submit();
  await expectText(toast(page, 'success'), 'Password changed.');
  expect(await form.getByLabel('Current password').inputValue()).toBe(''); // form cleared
  expect(await canSignIn(user.email, 'a-new-password')).toBe(true);
  expect(await canSignIn(user.email, user.password)).toBe(false);
});

const isDark = (page: import('playwright-core').Page) => page.evaluate(() => document.documentElement.classList.contains('dark'));

browserTest('appearance: dark is applied at once and remembered after a reload', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  expect(await isDark(page)).toBe(false);
  await page.getByRole('radio', { name: /Dark/ }).check();
  await expect.poll(() => isDark(page)).toBe(true);
  await page.reload();
  await expectVisible(page.getByRole('heading', { name: 'Settings' }));
  expect(await isDark(page)).toBe(true);
  expect(await page.getByRole('radio', { name: /Dark/ }).isChecked()).toBe(true);
  await page.getByRole('radio', { name: /Light/ }).check();
  await expect.poll(() => isDark(page)).toBe(false);
});

browserTest(
  'appearance: "system" follows the device preference',
  async ({ page }) => {
    const user = await createUser();
    await openSignedIn(page, user, '/settings');
    expect(await page.getByRole('radio', { name: /System/ }).isChecked()).toBe(true); // the default
    expect(await isDark(page)).toBe(true);
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => isDark(page)).toBe(false);
  },
  { colorScheme: 'dark' },
);

browserTest('delete account needs the typed confirmation, then signs out for good', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
  await expectVisible(dialog);
  const confirm = dialog.getByRole('button', { name: 'Delete account' });
  expect(await confirm.isDisabled()).toBe(true);
  await dialog.getByLabel('Type “delete” to confirm').fill('delet');
  expect(await confirm.isDisabled()).toBe(true);
  await dialog.getByLabel('Type “delete” to confirm').fill('delete');
  await confirm.click();

  await expectPath(page, '/login');
  await expectText(toast(page, 'success'), 'Your account and its items were deleted.');
  expect(await userExists(user.id)).toBe(false);
  expect(await canSignIn(user.email, user.password)).toBe(false);
});

browserTest('delete account: cancelling keeps the account', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  await page.getByRole('button', { name: 'Delete my account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
  await dialog.getByLabel('Type “delete” to confirm').fill('delete');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  expect(await userExists(user.id)).toBe(true);
});

browserTest('a superuser is told why they cannot delete their own account', async ({ page }) => {
  const admin = await createSuperuser();
  await openSignedIn(page, admin, '/settings');
  await expectText(section(page, 'Delete account'), 'Superusers can’t delete their own account');
  expect(await page.getByRole('button', { name: 'Delete my account' }).count()).toBe(0);
});

browserTest('settings survive a deep-link reload (served by the SPA fallback)', async ({ page }) => {
  const user = await createUser({ full_name: 'Deep Link' });
  await openSignedIn(page, user, '/settings');
  await page.reload();
  await expectPath(page, '/settings');
  expect(await section(page, 'Profile').getByLabel('Full name').inputValue()).toBe('Deep Link');
});
