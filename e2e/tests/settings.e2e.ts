import { expect } from 'vitest';
import { canSignIn, createSuperuser, createUser, getUser, openSignedIn, uniqueEmail, userExists } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, formAlert, toast } from '../support/expect';

useBrowser();

function section(page: import('playwright-core').Page, title: string) {
  return page.getByRole('region', { name: title });
}

/** The dialog the settings page opens when a new email needs the password (always, with REAUTH_WINDOW_MINUTES=0). */
function passwordDialog(page: import('playwright-core').Page) {
  return page.getByRole('dialog', { name: 'Confirm your password' });
}

async function confirmPassword(page: import('playwright-core').Page, password: string) {
  const dialog = passwordDialog(page);
  await expectVisible(dialog);
  await dialog.getByLabel('Current password').fill(password);
  await dialog.getByRole('button', { name: 'Change email' }).click();
  return dialog;
}

browserTest('profile: change name and email, confirmed with the password, shown at once and kept', async ({ page }) => {
  const user = await createUser({ full_name: 'Old Name' });
  const newEmail = uniqueEmail('renamed');
  await openSignedIn(page, user, '/settings');
  const profile = section(page, 'Profile');
  await profile.getByLabel('Full name').fill('New Name');
  await profile.getByLabel('Email').fill(newEmail);
  await profile.getByRole('button', { name: 'Save profile' }).click();

  // A wrong password is refused in the dialog, which stays open for another try.
  const dialog = await confirmPassword(page, 'not-my-password');
  await expectText(dialog.getByRole('alert'), 'Incorrect password');
  expect((await getUser(user.id)).email).toBe(user.email);
  await confirmPassword(page, user.password);
  await dialog.waitFor({ state: 'hidden' });

  await expectText(toast(page, 'success'), 'Profile saved.');
  await expectText(toast(page, 'info'), `We sent a verification link to ${newEmail}.`);
  await expectText(page.getByRole('navigation', { name: 'Main' }), 'New Name');
  expect(await getUser(user.id)).toMatchObject({ full_name: 'New Name', email: newEmail });
  await page.reload();
  expect(await section(page, 'Profile').getByLabel('Email').inputValue()).toBe(newEmail);
});

browserTest('profile: a name alone needs no password; cancelling the password dialog changes nothing', async ({ page }) => {
  const user = await createUser({ full_name: 'Plain Name' });
  await openSignedIn(page, user, '/settings');
  const profile = section(page, 'Profile');
  await profile.getByLabel('Full name').fill('Other Name');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expectText(toast(page, 'success'), 'Profile saved.');
  expect(await passwordDialog(page).count()).toBe(0);

  await profile.getByLabel('Email').fill(uniqueEmail('not-sent'));
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expectVisible(passwordDialog(page));
  await passwordDialog(page).getByRole('button', { name: 'Cancel' }).click();
  await passwordDialog(page).waitFor({ state: 'hidden' });
  expect((await getUser(user.id)).email).toBe(user.email);
});

browserTest('profile: an email that belongs to someone else is refused with the API message', async ({ page }) => {
  const user = await createUser();
  const other = await createUser();
  await openSignedIn(page, user, '/settings');
  const profile = section(page, 'Profile');
  await profile.getByLabel('Email').fill(other.email);
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await confirmPassword(page, user.password);
  await expectText(formAlert(page), 'User with this email already exists');
  expect((await getUser(user.id)).email).toBe(user.email);
});

browserTest('the old address gets a link that puts it back and signs out everywhere', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  const profile = section(page, 'Profile');
  await profile.getByLabel('Email').fill(uniqueEmail('taken-over'));
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await confirmPassword(page, user.password);
  await expectText(toast(page, 'success'), 'Profile saved.');

  await page.goto('/dev/mailbox');
  await page.getByLabel('Filter by recipient').fill(user.email);
  const message = page.getByRole('region', { name: 'Messages' }).getByRole('button', { name: /Your email address was changed/ });
  if ((await message.count()) === 0) await page.getByRole('button', { name: 'Refresh' }).click();
  await message.first().click();
  await page
    .getByRole('region', { name: 'Message' })
    .getByRole('region', { name: 'Links in this email' })
    .getByRole('link', { name: /restore-email\?token=/ })
    .click();

  await expectPath(page, '/restore-email');
  await page.getByRole('button', { name: 'Restore my email address' }).click();
  await expectVisible(page.getByText('Email address restored; every session was signed out'));
  expect((await getUser(user.id)).email).toBe(user.email);
  // This browser's session ended with the others.
  await page.goto('/settings');
  await expectPath(page, '/login');
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
