import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { createItem, createSuperuser, createUser, openSignedIn, tokenFor, uniqueTag } from '../support/api';
import { baseURL, browserTest, useBrowser } from '../support/browser';
import { expectText, expectVisible, formAlert, toast } from '../support/expect';

useBrowser();

function rowTitles(page: Page): Promise<string[]> {
  return page.locator('tbody tr td:first-child').allInnerTexts();
}

async function itemCount(email: string, password: string): Promise<number> {
  const response = await fetch(`${baseURL()}/api/v1/items/?limit=0`, {
    headers: { Authorization: `Bearer ${await tokenFor(email, password)}` },
  });
  return ((await response.json()) as { count: number }).count;
}

browserTest('items: empty state, add (with validation), edit, delete', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/items');
  await expectText(page.locator('main'), 'No items yet');

  await page.getByRole('button', { name: 'Add item' }).click();
  const addDialog = page.getByRole('dialog', { name: 'Add item' });
  await addDialog.getByRole('button', { name: 'Add item' }).click();
  await expectText(addDialog, 'Title is required');
  await addDialog.getByLabel('Title').fill('Buy milk');
  await addDialog.getByLabel('Description (optional)').fill('Two litres');
  await addDialog.getByRole('button', { name: 'Add item' }).click();
  await expectText(toast(page, 'success'), 'Item added.');
  await expect.poll(() => rowTitles(page)).toEqual(['Buy milk']);
  await expectText(page.locator('tbody'), 'Two litres');

  await page.getByRole('button', { name: 'Edit Buy milk' }).click();
  const editDialog = page.getByRole('dialog', { name: 'Edit item' });
  expect(await editDialog.getByLabel('Title').inputValue()).toBe('Buy milk');
  await editDialog.getByLabel('Title').fill('Buy oat milk');
  await editDialog.getByRole('button', { name: 'Save item' }).click();
  await expectText(toast(page, 'success'), 'Item saved.');
  await expect.poll(() => rowTitles(page)).toEqual(['Buy oat milk']);

  await page.getByRole('button', { name: 'Delete Buy oat milk' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete item?' });
  await confirm.getByRole('button', { name: 'Delete item' }).click();
  await expectText(toast(page, 'success'), 'Item deleted.');
  await expectText(page.locator('main'), 'No items yet');
  expect(await itemCount(user.email, user.password)).toBe(0);
});

browserTest('items: a title over 255 characters is caught before sending', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/items');
  await page.getByRole('button', { name: 'Add item' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add item' });
  await dialog.getByLabel('Title').fill('x'.repeat(256));
  await dialog.getByRole('button', { name: 'Add item' }).click();
  await expectText(dialog, 'Title must be at most 255 characters');
  expect(await formAlert(page).count()).toBe(0);
  expect(await itemCount(user.email, user.password)).toBe(0);
});

browserTest('items: add and cancel by keyboard (dialog focus and Escape)', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/items');
  await page.getByRole('button', { name: 'Add item' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add item' });
  await expectVisible(dialog);
  // Focus moved into the dialog, on its first field.
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('title');
  await page.keyboard.type('Typed only');
  await page.keyboard.press('Enter');
  await expectText(toast(page, 'success'), 'Item added.');
  await expect.poll(() => rowTitles(page)).toEqual(['Typed only']);

  await page.getByRole('button', { name: 'Add item' }).click();
  await expectVisible(dialog);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});

browserTest('items: paging through a long list', async ({ page }) => {
  const user = await createUser();
  for (let i = 1; i <= 12; i++) await createItem(user, `Item ${String(i).padStart(2, '0')}`); // in order: newest is 12
  await openSignedIn(page, user, '/items');
  const pager = page.getByRole('navigation', { name: 'Items pages' });
  await expectText(pager, '1–10 of 12');
  expect((await rowTitles(page))[0]).toBe('Item 12');
  await pager.getByRole('button', { name: 'Next' }).click();
  await expectText(pager, '11–12 of 12');
  await expect.poll(() => rowTitles(page)).toEqual(['Item 02', 'Item 01']);
  await pager.getByLabel('Per page').selectOption('25');
  await expect.poll(() => rowTitles(page)).toHaveLength(12);
});

browserTest(
  'items: a superuser sees everyone’s items with the owner’s email; others only their own',
  async ({ page, context }) => {
    const owner = await createUser();
    const other = await createUser();
    const title = `Owned ${uniqueTag()}`;
    await createItem(owner, title);

    const admin = await createSuperuser();
    await openSignedIn(page, admin, '/items?size=100');
    await expectText(page.locator('thead'), /owner/i);
    const row = page.locator('tbody tr', { hasText: title });
    await expectText(row, owner.email);

    // Same browser context, so the same cookies: openSignedIn replaces the refresh cookie.
    const otherPage = await context.newPage();
    await openSignedIn(otherPage, other, '/items');
    await expectText(otherPage.locator('main'), 'No items yet');
    expect(await otherPage.locator('thead th', { hasText: 'Owner' }).count()).toBe(0);
  },
);
