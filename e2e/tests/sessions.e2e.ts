// Sessions from the browser: the Devices list in settings, and an admin's "sign out everywhere".
import { expect } from 'vitest';
import { createSuperuser, createUser, meStatus, openSignedIn, tokenFor, uniqueTag } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectText, toast } from '../support/expect';

useBrowser();

browserTest('devices: this one is marked; another is signed out, then all others', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  const laptop = await tokenFor(user.email, user.password); // two more sessions, from Node's fetch
  const phone = await tokenFor(user.email, user.password);
  await page.reload();

  const devices = page.getByRole('list', { name: 'Signed-in devices' });
  await expect.poll(() => devices.getByRole('listitem').count()).toBe(3);
  await expectText(devices, 'This device');
  await expectText(devices, 'Chrome on Linux');
  await expectText(devices, 'Node.js');
  expect(await devices.getByRole('button', { name: /^Sign out/ }).count()).toBe(2); // not this one

  await devices
    .getByRole('button', { name: /^Sign out Node\.js/ })
    .first()
    .click();
  await expectText(toast(page, 'success'), 'That device is signed out.');
  await expect.poll(() => devices.getByRole('listitem').count()).toBe(2);
  expect([await meStatus(laptop), await meStatus(phone)].sort()).toEqual([200, 403]);

  await page.getByRole('button', { name: 'Sign out all other devices' }).click();
  await expectText(toast(page, 'success'), 'Every other device is signed out.');
  await expect.poll(() => devices.getByRole('listitem').count()).toBe(1);
  expect([await meStatus(laptop), await meStatus(phone)]).toEqual([403, 403]);
  // This device is still signed in.
  await page.reload();
  await expectText(devices, 'This device');
});

browserTest('an admin signs a user out everywhere', async ({ page }) => {
  const admin = await createSuperuser();
  const tag = uniqueTag();
  const user = await createUser({ prefix: tag });
  const token = await tokenFor(user.email, user.password);
  expect(await meStatus(token)).toBe(200);

  await openSignedIn(page, admin, `/admin?q=${tag}`);
  await page.getByRole('button', { name: `Edit ${user.email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${user.email}` });
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expectText(toast(page, 'success'), `${user.email} is signed out everywhere.`);
  expect(await meStatus(token)).toBe(403);
});

browserTest('an admin has no "sign out everywhere" for their own account', async ({ page }) => {
  const admin = await createSuperuser();
  await openSignedIn(page, admin, `/admin?q=${encodeURIComponent(admin.email)}`);
  await page.getByRole('button', { name: `Edit ${admin.email}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${admin.email}` });
  await dialog.getByRole('button', { name: 'Save user' }).waitFor();
  expect(await dialog.getByRole('button', { name: 'Sign out everywhere' }).count()).toBe(0);
});
