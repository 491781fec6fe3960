// Small things found while trying Roster as a newcomer (issue 12, part 8): toasts that outlive
// the person they were for, a refresh request on every signed-out page load, tables that hide
// their actions on a phone, an error said twice, mail with no way to it, a bare 404 page, and
// an audit log in raw codes.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { createItem, createSuperuser, createUser, openSignedIn, tokenFor, uniqueEmail } from '../support/api';
import { baseURL, browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, toast, watchRequests } from '../support/expect';

useBrowser();

async function signInWithForm(page: Page, email: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectPath(page, '/');
}

browserTest('toasts are for the person who caused them: sign-out and sign-in clear them', async ({ page }) => {
  const nina = await createUser({ full_name: 'Nina Simone' });
  const admin = await createSuperuser();
  await signInWithForm(page, nina.email, nina.password);
  await expectText(toast(page), 'Welcome back, Nina Simone.');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(page, '/login');
  await expectText(toast(page), 'You are signed out.');
  expect(await toast(page).allInnerTexts()).toEqual([expect.stringContaining('You are signed out.')]);

  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(toast(page), `Welcome back, ${admin.full_name}.`);
  const shown = (await toast(page).allInnerTexts()).join('\n');
  expect(shown).not.toContain('Nina');
  expect(shown).not.toContain('signed out');
});

browserTest('a signed-out page load asks the server for no refresh', async ({ page }) => {
  const refreshes = watchRequests(page, '/login/refresh-token');
  const failures: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
  });
  await page.goto('/items');
  await expectPath(page, '/login'); // still sent to sign in
  await page.goto('/signup');
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  await page.goto('/no/such/page');
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  expect(refreshes.count()).toBe(0);
  expect(failures).toEqual([]);

  // Signed in, a reload does refresh, and stays signed in.
  const user = await createUser({ full_name: 'Marked Session' });
  await signInWithForm(page, user.email, user.password);
  await page.reload();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Marked Session');
  expect(refreshes.count()).toBeGreaterThan(0);
});

browserTest(
  'below 640 px the users, items and audit tables are cards with their actions on screen',
  async ({ page }) => {
    const admin = await createSuperuser();
    await createItem(admin, 'Card item', 'Shown as a card');
    const width = 375;
    const onScreen = async (name: string) => {
      const box = await page.getByRole('button', { name }).first().boundingBox();
      expect(box, name).not.toBeNull();
      expect((box?.x ?? 0) + (box?.width ?? 0), name).toBeLessThanOrEqual(width);
      expect(box?.x ?? -1, name).toBeGreaterThanOrEqual(0);
    };

    await openSignedIn(page, admin, `/admin?q=${encodeURIComponent(admin.email)}`);
    const userRow = page.locator(`tr[data-email="${admin.email}"]`);
    await userRow.waitFor();
    await onScreen(`Edit ${admin.email}`);
    await onScreen(`Delete ${admin.email}`);
    // Each value is labelled in the card, the header row being for screen readers only.
    expect(await userRow.locator('td[data-label="Email"]').textContent()).toContain(admin.email);
    expect(await page.locator('thead').first().boundingBox()).toMatchObject({ height: 1 });

    await page.goto('/items');
    await page.locator('tbody tr').first().waitFor();
    await onScreen('Edit Card item');
    await onScreen('Delete Card item');

    await page.goto(`/admin/audit?user=${admin.id}`);
    await page.locator('tbody tr').first().waitFor();
    const details = page.locator('tbody tr summary').first();
    const box = await details.boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  },
  { viewport: { width: 375, height: 740 } },
);

browserTest('sign up: a password the server refuses is said once, at its field', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(uniqueEmail('common'));
  await page.getByLabel('Password', { exact: true }).fill('password123');
  await page.getByLabel('Confirm password').fill('password123');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectText(page.locator('form'), 'Password is too common');
  expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
  const form = (await page.locator('form').textContent()) ?? '';
  expect(form.match(/too common/g)).toHaveLength(1);
  await expectPath(page, '/signup');
});

browserTest('running locally, "check your email" and the verify banner link to the dev mailbox', async ({ page }) => {
  const user = await createUser();
  await page.goto('/recover-password');
  await page.getByLabel('Email').fill(user.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Check your email');
  await page.getByRole('link', { name: 'open the dev mailbox' }).click();
  await expectPath(page, '/dev/mailbox');

  await openSignedIn(page, user, '/');
  const banner = page.getByRole('region', { name: 'Email verification' });
  await banner.getByRole('link', { name: 'Open the dev mailbox' }).click();
  await expectPath(page, '/dev/mailbox');
});

browserTest('the not-found page has the app’s header, signed out and signed in', async ({ page }) => {
  await page.goto('/no/such/page');
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Sign in', exact: true }).click();
  await expectPath(page, '/login');

  const user = await createUser({ full_name: 'Lost Person' });
  await openSignedIn(page, user, '/nowhere');
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await expectVisible(nav.getByRole('link', { name: 'Items' }));
  await expectText(nav, 'Lost Person');
  await nav.getByRole('link', { name: 'Items' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Items');
});

browserTest('the audit log reads as sentences, shows the raw record on demand and filters by date', async ({ page }) => {
  const ann = await createSuperuser('ann');
  const bob = await createUser({ prefix: 'bob', full_name: 'Bob Marley' });
  const annToken = await tokenFor(ann.email, ann.password);
  const changed = await fetch(`${baseURL()}/api/v1/users/${bob.id}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${annToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: uniqueEmail('bob-new') }),
  });
  expect(changed.status).toBe(200);

  await openSignedIn(page, ann, `/admin/audit?user=${bob.id}&type=email.changed`);
  const row = page.locator('tr[data-type="email.changed"]');
  await expectText(row, `${ann.full_name} changed Bob Marley's email`);
  await expectText(page.locator('main'), 'Events of Bob Marley');

  expect(await row.getByText('"from"').isVisible()).toBe(false);
  await row.locator('summary').click();
  await expectText(row, 'email.changed');
  await expectText(row, `"from": "${bob.email}"`);

  const today = new Date();
  const tomorrow = new Date(today.getTime() + 86_400_000);
  const iso = (d: Date) =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  await page.getByLabel('From').fill(iso(tomorrow));
  await expectText(page.locator('main'), 'No events match');
  expect(new URL(page.url()).searchParams.get('since')).toBe(iso(tomorrow));
  await page.getByLabel('From').fill(iso(today));
  await page.getByLabel('To').fill(iso(today));
  await expectText(page.locator('tr[data-type="email.changed"]'), 'Bob Marley');
});
