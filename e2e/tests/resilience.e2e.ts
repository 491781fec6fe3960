import { expect } from 'vitest';
import {
  createItem,
  createSuperuser,
  createUser,
  deleteUser,
  hasRefreshCookie,
  openSignedIn,
  revokeSessions,
  updateUser,
} from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, formAlert } from '../support/expect';

useBrowser();

browserTest('API down at sign in: the form says the server cannot be reached', async ({ page }) => {
  const user = await createUser();
  await page.goto('/login');
  // From here on every API request fails as if the server were stopped.
  await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(formAlert(page), 'Cannot reach the server');
  await expectPath(page, '/login');
});

browserTest('API down while signed in: an error state with a retry that recovers', async ({ page }) => {
  const user = await createUser({ full_name: 'Offline Olive' });
  await openSignedIn(page, user, '/');
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Offline Olive');

  await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
  await page.reload();
  const error = page.getByRole('alert');
  await expectText(error, 'Could not load this.');
  await expectText(error, 'Cannot reach the server');
  // Still signed in: a network failure is not a reason to drop the session.
  expect(await hasRefreshCookie(page)).toBe(true);

  await page.unroute('**/api/v1/**');
  await error.getByRole('button', { name: 'Try again' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Offline Olive');
});

browserTest('a server error on a list shows its error state, not an empty list', async ({ page }) => {
  const user = await createUser();
  await page.route('**/api/v1/items/**', (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ detail: 'Service Unavailable' }) }),
  );
  await openSignedIn(page, user, '/items');
  await expectText(page.getByRole('alert'), 'Service Unavailable');
  expect(await page.getByText('No items yet').count()).toBe(0);
});

browserTest('API down when saving: the form keeps its input and says why', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  await expectVisible(page.getByRole('heading', { name: 'Settings' }));
  await page.route('**/api/v1/users/me', (route) => route.abort('connectionrefused'));
  const profile = page.getByRole('region', { name: 'Profile' });
  await profile.getByLabel('Full name').fill('Unsaved Name');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expectText(profile.getByRole('alert'), 'Cannot reach the server');
  expect(await profile.getByLabel('Full name').inputValue()).toBe('Unsaved Name');
});

browserTest('a session revoked elsewhere sends people to sign in, with a word why', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/settings');
  await expectText(page.getByRole('heading', { level: 1 }), 'Settings');
  await revokeSessions(user.id); // e.g. an admin's "sign out everywhere"
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Items' }).click();
  await expectPath(page, '/login');
  await expectText(page.getByRole('status'), 'You were signed out: your session ended');
  expect(new URL(page.url()).searchParams.get('redirect')).toMatch(/^\/items/);
  // A reload does not bring it back: the refresh token was revoked with the session.
  await page.goto('/items');
  await expectPath(page, '/login');
});

browserTest('an account deleted or deactivated elsewhere is signed out on its next request', async ({ page }) => {
  const deleted = await createUser();
  await openSignedIn(page, deleted, '/items');
  await expectText(page.getByRole('heading', { level: 1 }), 'Items');
  await deleteUser(deleted.id);
  await page.goto('/settings');
  await expectPath(page, '/login');

  const deactivated = await createUser();
  await openSignedIn(page, deactivated, '/');
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi,');
  await updateUser(deactivated.id, { is_active: false });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Items' }).click();
  await expectPath(page, '/login');
  await expectText(page.getByRole('status'), 'You were signed out: your session ended');
});

browserTest('an unknown address shows a not-found page', async ({ page }) => {
  await page.goto('/no/such/page');
  await expectText(page.getByRole('heading', { level: 1 }), 'Page not found');
  await page.getByRole('link', { name: 'Go to the dashboard' }).click();
  await expectPath(page, '/login'); // signed out, so the dashboard asks to sign in first
});

browserTest(
  'usable at 375 px: the menu opens, navigates, and nothing scrolls sideways',
  async ({ page }) => {
    // A superuser with an item, so the admin table and the items table are on screen too.
    const user = await createSuperuser();
    await updateUser(user.id, { full_name: 'Narrow Screen' });
    await createItem(user, 'A rather long item title that should wrap', 'And a description to go with it');
    await openSignedIn(page, user, '/');
    await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Narrow Screen');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expectPath(page, '/settings');
    expect(await nav.isVisible()).toBe(false); // navigating closes the menu
    for (const path of ['/settings', '/items', '/admin', '/']) {
      await page.goto(path);
      await page.locator('main h1').waitFor();
      if (path === '/items' || path === '/admin') await page.locator('tbody tr').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(0);
    }
  },
  { viewport: { width: 375, height: 740 } },
);

browserTest('keyboard users can skip to the content and see where focus is', async ({ page }) => {
  const user = await createUser();
  await openSignedIn(page, user, '/');
  await page.locator('main h1').waitFor();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
  expect(await skip.isVisible()).toBe(true);
  // A visible focus ring: the focused element gets a non-zero outline.
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    return getComputedStyle(el).outlineStyle !== 'none' && Number.parseFloat(getComputedStyle(el).outlineWidth) > 0;
  });
  expect(outline).toBe(true);
});
