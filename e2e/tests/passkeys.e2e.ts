// Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol, WebAuthn
// domain) stands in for a fingerprint reader. Browsers refuse passkeys on an IP address, so
// these pages are opened as localhost (the server's WEBAUTHN_RP_ID, see support/server.ts).
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { createUser, superuserToken, type TestUser } from '../support/api';
import { baseURL, browserTest, useBrowser } from '../support/browser';
import { expectHidden, expectPath, expectText, expectVisible, toast } from '../support/expect';

useBrowser();

/** The app's address as localhost, where passkeys work. */
function onLocalhost(path: string): string {
  const url = new URL(baseURL());
  url.hostname = 'localhost';
  return `${url.origin}${path}`;
}

/** A platform authenticator with user verification (a fingerprint reader that always says yes). */
async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
  };
}

async function signInWithPassword(page: Page, user: TestUser) {
  await page.goto(onLocalhost('/login'));
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectPath(page, '/');
}

async function addPasskeyInSettings(page: Page, user: TestUser) {
  await page.goto(onLocalhost('/settings'));
  const section = page.getByRole('region', { name: 'Passkeys' });
  await expectText(section, 'No passkeys yet');
  await section.getByRole('button', { name: 'Add a passkey' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a passkey' });
  await expectVisible(dialog);
  // Named after the browser and system it was made on, unless the user names it.
  expect(await dialog.getByLabel('Passkey name').inputValue()).toMatch(/Chrome on Linux/);
  await dialog.getByLabel('Passkey name').fill('Test fingerprint');
  await dialog.getByLabel('Current password').fill(user.password);
  await dialog.getByRole('button', { name: 'Create passkey' }).click();
  await expectText(toast(page, 'success'), 'Passkey “Test fingerprint” added.');
  await expectHidden(dialog);
  await expectText(section.getByRole('list', { name: 'Your passkeys' }), 'Test fingerprint');
  return section;
}

browserTest('add a passkey in Settings, sign out, and sign in with it without typing a password', async ({ page }) => {
  const authenticator = await virtualAuthenticator(page);
  const user = await createUser({ full_name: 'Pat Passkey' });
  await signInWithPassword(page, user);
  const section = await addPasskeyInSettings(page, user);
  await expectText(section, 'never used');
  const [credential] = await authenticator.credentials();
  expect(credential?.isResidentCredential).toBe(true);

  // A browser without passkeys in autofill: the button is the way in.
  await page.evaluate(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Sign in');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expectText(toast(page, 'success'), 'Welcome back, Pat Passkey.');
  await expectPath(page, '/');

  // The sign-in is the passkey's: it was used, and the signature counter moved on.
  await page.goto(onLocalhost('/settings'));
  await expectText(page.getByRole('region', { name: 'Passkeys' }), 'last used');
  // (Read as an administrator: the passkey turned MFA on, so a password alone gets no token.)
  const passkeys = await fetch(`${baseURL()}/api/v1/users/${user.id}/passkeys`, {
    headers: { Authorization: `Bearer ${await superuserToken()}` },
  }).then((response) => response.json());
  expect(passkeys).toMatchObject({ count: 1, data: [{ name: 'Test fingerprint' }] });
  expect(passkeys.data[0].last_used_at).not.toBeNull();
  const signCount = (await authenticator.credentials())[0]?.signCount ?? 0;
  expect(signCount).toBeGreaterThan(credential?.signCount ?? 0);

  // Where the browser lists passkeys in the email field's autofill, picking one signs in: the
  // virtual authenticator picks its only passkey at once, as a person choosing it from the list.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectText(toast(page, 'success'), 'Welcome back, Pat Passkey.');
  await expectPath(page, '/');
  expect((await authenticator.credentials())[0]?.signCount).toBeGreaterThan(signCount);
});

browserTest('rename and remove a passkey; removing it asks for the password', async ({ page }) => {
  await virtualAuthenticator(page);
  const user = await createUser();
  await signInWithPassword(page, user);
  const section = await addPasskeyInSettings(page, user);

  await section.getByRole('button', { name: 'Rename Test fingerprint' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename passkey' });
  await rename.getByLabel('Passkey name').fill('Work laptop');
  await rename.getByRole('button', { name: 'Save name' }).click();
  await expectText(section.getByRole('list', { name: 'Your passkeys' }), 'Work laptop');

  await section.getByRole('button', { name: 'Remove Work laptop' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove passkey' });
  await remove.getByLabel('Current password').fill('not-my-password');
  await remove.getByRole('button', { name: 'Remove passkey' }).click();
  await expectText(remove.getByRole('alert'), 'Incorrect password');
  await remove.getByLabel('Current password').fill(user.password);
  await remove.getByRole('button', { name: 'Remove passkey' }).click();
  await expectText(toast(page, 'success'), 'Passkey removed.');
  await expectText(section, 'No passkeys yet');
});

browserTest('log in with a password and pass the second step with the passkey', async ({ page }) => {
  const authenticator = await virtualAuthenticator(page);
  const user = await createUser({ full_name: 'Sam Second' });
  await signInWithPassword(page, user);
  await addPasskeyInSettings(page, user);
  const signCount = (await authenticator.credentials())[0]?.signCount ?? 0;

  // The passkey turned MFA on: the password alone is not enough any more. (No autofill here,
  // so the password path is the one taken.)
  await page.evaluate(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Sign in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Two-factor authentication');
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expectText(toast(page, 'success'), 'Welcome back, Sam Second.');
  await expectPath(page, '/');
  expect((await authenticator.credentials())[0]?.signCount).toBeGreaterThan(signCount);
});
