import { expect } from 'vitest';
import { createSuperuser, createUser, getUser, openSignedIn, setRoles, uniqueTag } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectText, expectVisible, toast } from '../support/expect';

useBrowser();

browserTest('a support user sees the users read-only; a superuser gives roles in the user dialog', async ({ page }) => {
  const tag = uniqueTag('roles');
  const helper = await createUser({ prefix: `${tag}-helper`, full_name: `Helper ${tag}` });
  const bob = await createUser({ prefix: `${tag}-bob`, full_name: `Bob ${tag}` });
  await setRoles(helper.id, ['support']);

  await openSignedIn(page, helper, '/');
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await page.getByRole('searchbox', { name: 'Search by email or name' }).fill(tag);
  await page.keyboard.press('Enter');
  const bobRow = page.locator(`tr[data-email="${bob.email}"]`);
  await expectVisible(bobRow);
  await expectText(page.locator(`tr[data-email="${helper.email}"]`), 'support');
  expect(await page.getByRole('button', { name: 'Add user' }).count()).toBe(0);
  expect(await bobRow.getByRole('button', { name: `Delete ${bob.email}` }).count()).toBe(0);
  expect(await bobRow.getByRole('button', { name: `Edit ${bob.email}` }).count()).toBe(0);
  await bobRow.getByRole('button', { name: `View ${bob.email}` }).click();
  const view = page.getByRole('dialog', { name: `View ${bob.email}` });
  await expectText(view, 'can look up users but not change them');
  expect(await view.getByRole('textbox').count()).toBe(0);
  expect(await view.getByRole('checkbox').count()).toBe(0);
  await view.getByText('Close', { exact: true }).click();

  const admin = await createSuperuser();
  await openSignedIn(page, admin, `/admin?q=${encodeURIComponent(tag)}`);
  await page
    .locator(`tr[data-email="${bob.email}"]`)
    .getByRole('button', { name: `Edit ${bob.email}` })
    .click();
  const dialog = page.getByRole('dialog', { name: `Edit ${bob.email}` });
  await dialog.getByLabel('support', { exact: true }).check();
  await dialog.getByLabel('user admin', { exact: true }).check();
  await dialog.getByRole('button', { name: 'Save user' }).click();
  await expectText(toast(page, 'success'), `Saved ${bob.email}.`);
  await expectText(page.locator(`tr[data-email="${bob.email}"]`), 'user admin');
  expect(await getUser(bob.id)).toMatchObject({ roles: ['support', 'user_admin'], is_superuser: false });
});
