import { expect } from 'vitest';
import { createUser, hasRefreshCookie, openSignedIn, uniqueEmail, updateUser } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, formAlert, toast, watchRequests } from '../support/expect';

useBrowser();

browserTest('sign up lands on the dashboard greeted by name; sign out closes the app again', async ({ page }) => {
  const email = uniqueEmail('signup');
  await page.goto('/signup');
  await page.getByLabel('Full name (optional)').fill('Ada Lovelace');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('analytical-engine');
  await page.getByLabel('Confirm password').fill('analytical-engine');
  await page.getByRole('button', { name: 'Sign up' }).click();

  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Ada Lovelace');
  await expectPath(page, '/');
  await expectText(page.locator('main'), `Signed in as ${email}`);

  expect(await hasRefreshCookie(page)).toBe(true);
  // Nothing readable by scripts holds a token.
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toMatch(
    /ey[A-Za-z0-9_-]{10,}\./,
  );

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Sign in');
  expect(await hasRefreshCookie(page)).toBe(false); // the server ended the session and cleared it
  await page.goto('/settings');
  await expectPath(page, '/login');
});

browserTest('sign up with an email that already has an account shows the API message', async ({ page }) => {
  const existing = await createUser();
  await page.goto('/signup');
  await page.getByLabel('Email').fill(existing.email.toUpperCase()); // one account whatever the case
  await page.getByLabel('Password', { exact: true }).fill('another-password');
  await page.getByLabel('Confirm password').fill('another-password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectText(formAlert(page), 'The user with this email already exists in the system');
  await expectPath(page, '/signup');
});

browserTest('sign up checks the form before sending anything', async ({ page }) => {
  const signups = watchRequests(page, '/users/signup');
  await page.goto('/signup');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').fill('different');
  await page.getByRole('button', { name: 'Sign up' }).click();

  await expectText(page.locator('form'), 'Enter a valid email address');
  await expectText(page.locator('form'), 'Password must be at least 8 characters');
  await expectText(page.locator('form'), 'Passwords do not match');
  // The first invalid field gets focus, and is marked invalid for assistive technology.
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('email');
  expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
  expect(signups.count()).toBe(0);
});

browserTest('a rule only the server checks (422) is shown at its field, in the API’s words', async ({ page }) => {
  // A 65-character local part: plausible to the form, refused by the server (limit 64).
  const email = `${'a'.repeat(65)}@example.com`;
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('long-enough');
  await page.getByLabel('Confirm password').fill('long-enough');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectText(page.locator('form'), 'value is not a valid email address');
  expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
  expect(await formAlert(page).count()).toBe(0); // said once, at the field
  await expectPath(page, '/signup');
});

browserTest('sign in with a wrong password is refused with the API message', async ({ page }) => {
  const user = await createUser();
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(formAlert(page), 'Incorrect email or password');
  await expectPath(page, '/login');
  expect(await hasRefreshCookie(page)).toBe(false);
});

browserTest('an inactive account cannot sign in and is told why', async ({ page }) => {
  const user = await createUser();
  await updateUser(user.id, { is_active: false });
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(formAlert(page), 'Inactive user');
});

browserTest('sign in by keyboard only, then return to the page that asked for it', async ({ page }) => {
  const user = await createUser({ full_name: 'Grace Hopper' });
  await page.goto('/items?page=1&size=25');
  await expectPath(page, '/login'); // signed out: sent to sign in first

  // The email field has focus; Tab moves to the password; Enter submits.
  await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('email');
  await page.keyboard.type(user.email);
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('password');
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');

  await expectPath(page, '/items');
  expect(new URL(page.url()).searchParams.get('size')).toBe('25');
  await expectText(toast(page, 'success'), 'Welcome back, Grace Hopper.');
  await expectText(page.getByRole('heading', { level: 1 }), 'Items');
});

browserTest('a reload keeps the session (the access token comes back from the refresh cookie)', async ({ page }) => {
  const user = await createUser({ full_name: 'Reload Me' });
  await openSignedIn(page, user, '/items');
  await expectText(page.getByRole('heading', { level: 1 }), 'Items');
  await page.reload();
  await expectText(page.getByRole('heading', { level: 1 }), 'Items');
  await expectPath(page, '/items');
});

browserTest('a signed-in person who opens /login goes to the dashboard', async ({ page }) => {
  const user = await createUser({ full_name: 'Signed In' });
  await openSignedIn(page, user, '/login');
  await expectPath(page, '/');
  await expectVisible(page.getByRole('heading', { name: 'Hi, Signed In' }));
});

browserTest('signing out in one tab signs out the other; signing in follows too', async ({ page, context }) => {
  const user = await createUser({ full_name: 'Two Tabs' });
  await openSignedIn(page, user, '/items');
  await expectText(page.getByRole('heading', { level: 1 }), 'Items');
  const other = await context.newPage();
  await other.goto('/settings');
  await expectText(other.getByRole('heading', { level: 1 }), 'Settings');

  await other.getByRole('button', { name: 'Sign out' }).click();
  await expectPath(other, '/login');
  await expectPath(page, '/login'); // the first tab followed without a request failing first

  await other.getByLabel('Email').fill(user.email);
  await other.getByLabel('Password').fill(user.password);
  await other.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(other.getByRole('heading', { level: 1 }), 'Hi, Two Tabs');
  await expectPath(page, '/');
  await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Two Tabs');
});
