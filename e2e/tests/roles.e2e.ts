import { expect } from 'vitest';
import { createOrg, createSuperuser, createUser, getUser, openSignedIn, setRoles, uniqueTag } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectHidden, expectPath, expectText, expectVisible, formAlert, toast } from '../support/expect';

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

browserTest(
  'a superuser defines a role on the roles page, grants it in the user dialog, where the organizations show',
  async ({ page }) => {
    const tag = uniqueTag('rolepage');
    const roleName = `billing_${tag}`;
    const carol = await createUser({ prefix: `${tag}-carol`, full_name: `Carol ${tag}`, is_verified: true });
    const org = await createOrg(carol, `Org ${tag}`, `org-${tag}`);
    const admin = await createSuperuser();

    await openSignedIn(page, admin, '/admin');
    await page.getByRole('link', { name: 'Roles', exact: true }).click();
    await expectPath(page, '/admin/roles');
    await expectText(page.locator('tr[data-role="support"]'), 'Fixed');
    expect(await page.locator('tr[data-role="support"]').getByRole('button').count()).toBe(0);

    await page.getByRole('button', { name: 'New role' }).click();
    const create = page.getByRole('dialog', { name: 'New role' });
    await create.getByLabel('Name', { exact: true }).fill('Billing Team');
    await create.getByRole('button', { name: 'Create role' }).click();
    await expectText(create, 'Use 2 to 63 lower-case letters');
    await create.getByLabel('Name', { exact: true }).fill(roleName);
    await create.getByLabel('Description (optional)').fill('Reads users and every item');
    await create.getByLabel('users:read', { exact: true }).check();
    await create.getByLabel('items:read_all', { exact: true }).check();
    await create.getByRole('button', { name: 'Create role' }).click();
    await expectText(toast(page, 'success'), `Created the role ${roleName}.`);
    const row = page.locator(`tr[data-role="${roleName}"]`);
    await expectText(row, 'items:read_all');
    await expectText(row, 'Reads users and every item');

    // The API's refusal of a taken name is shown in the form.
    await page.getByRole('button', { name: 'New role' }).click();
    await create.getByLabel('Name', { exact: true }).fill(roleName);
    await create.getByRole('button', { name: 'Create role' }).click();
    await expectText(formAlert(page), 'A role with this name already exists');
    await create.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: `Edit ${roleName}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit role ${roleName}` });
    await edit.getByLabel('audit:read', { exact: true }).check();
    await edit.getByRole('button', { name: 'Save role' }).click();
    await expectText(toast(page, 'success'), `Saved the role ${roleName}.`);
    await expectText(row, 'audit:read');

    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Search by email or name' }).fill(tag);
    await page.keyboard.press('Enter');
    await page
      .locator(`tr[data-email="${carol.email}"]`)
      .getByRole('button', { name: `Edit ${carol.email}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Edit ${carol.email}` });
    const orgs = dialog.getByRole('region', { name: 'Organizations' });
    await expectText(orgs, `Org ${tag}`);
    await expectText(orgs.locator(`[data-org="${org.slug}"]`), 'Owner');
    await dialog.getByLabel(`billing ${tag}`, { exact: true }).check();
    await dialog.getByRole('button', { name: 'Save user' }).click();
    await expectText(toast(page, 'success'), `Saved ${carol.email}.`);
    expect(await getUser(carol.id)).toMatchObject({ roles: [roleName] });

    await page.getByRole('link', { name: 'Roles', exact: true }).click();
    await expectText(row.locator('td').nth(2), '1');
    await row.getByRole('button', { name: `Delete ${roleName}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete role?' });
    await expectText(confirm, 'The 1 user who holds it loses it');
    await confirm.getByRole('button', { name: 'Delete role' }).click();
    await expectText(toast(page, 'success'), `Deleted the role ${roleName}.`);
    await expectHidden(row);
    expect(await getUser(carol.id)).toMatchObject({ roles: [] });
  },
);

browserTest(
  'a support user has no roles link, reads a user’s organizations, and is told the roles page is not theirs',
  async ({ page }) => {
    const tag = uniqueTag('rolesupport');
    const helper = await createUser({ prefix: `${tag}-helper` });
    const dana = await createUser({ prefix: `${tag}-dana`, is_verified: true });
    await createOrg(dana, `Team ${tag}`, `team-${tag}`);
    await setRoles(helper.id, ['support']);

    await openSignedIn(page, helper, `/admin?q=${encodeURIComponent(tag)}`);
    const danaRow = page.locator(`tr[data-email="${dana.email}"]`);
    await expectVisible(danaRow);
    expect(await page.getByRole('link', { name: 'Roles', exact: true }).count()).toBe(0);
    await danaRow.getByRole('button', { name: `View ${dana.email}` }).click();
    const orgs = page.getByRole('dialog', { name: `View ${dana.email}` }).getByRole('region', { name: 'Organizations' });
    await expectText(orgs, `Team ${tag}`);
    // Without orgs:manage the organization is named, not linked (its page would not open).
    expect(await orgs.getByRole('link').count()).toBe(0);

    await page.goto('/admin/roles');
    await expectText(page.locator('main'), 'Only superusers manage roles');
    expect(await page.getByRole('button', { name: 'New role' }).count()).toBe(0);
  },
);
