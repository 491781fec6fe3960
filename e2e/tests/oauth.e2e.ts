// Sign in with another provider, in a real browser: Roster's login page, the provider's own
// sign-in page (oidc-provider, on loopback), and back into Roster signed in. This file runs its
// own Roster, configured with that provider, on `localhost` while the provider is on
// `127.0.0.1`: a different site, as a real provider is, so the cookies' SameSite rules are real.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { startOidcProvider, type TestProvider } from '../../server/test/helpers/oidc-provider';
import { hasRefreshCookie } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText } from '../support/expect';
import { freePort, type RunningServer, startServer } from '../support/server';

useBrowser();

const tag = randomUUID().slice(0, 8);
const ada = { email: `ada-${tag}@example.com`, email_verified: true, name: 'Ada Lovelace' };
const taken = { email: `taken-${tag}@example.com`, email_verified: true, name: 'Not The Owner' };

let provider: TestProvider;
let roster: RunningServer;
let port: number;

beforeAll(async () => {
  port = await freePort();
  provider = await startOidcProvider({
    redirectUris: [`http://localhost:${port}/api/v1/login/oauth/local/callback`],
    accounts: { ada, taken },
  });
  roster = await startServer('oauth-server.log', {
    port,
    hostName: 'localhost',
    env: {
      OAUTH_PROVIDERS: 'local',
      OAUTH_LOCAL_CLIENT_ID: provider.clientId,
      OAUTH_LOCAL_CLIENT_SECRET: provider.clientSecret,
      OAUTH_LOCAL_ISSUER: provider.issuer,
      OAUTH_LOCAL_DISPLAY_NAME: 'Local ID',
    },
  });
}, 240_000);

afterAll(async () => {
  await roster?.stop();
  await provider?.close();
});

const options = { baseURL: () => roster.url };

/** On the provider's own page (its development login form): any account id signs in. */
async function signInAtProvider(page: Page, accountId: string) {
  await expect.poll(() => new URL(page.url()).origin, { timeout: 10_000 }).toBe(provider.issuer);
  await page.locator('input[name="login"]').fill(accountId);
  await page.locator('input[name="password"]').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
}

browserTest(
  'Sign in with the provider on the login page, sign in there, and land signed in in Roster',
  async ({ page }) => {
    await page.goto('/login');
    await page.getByRole('link', { name: 'Sign in with Local ID' }).click();
    await signInAtProvider(page, 'ada');

    await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Ada Lovelace');
    await expectPath(page, '/');
    await expectText(page.locator('main'), `Signed in as ${ada.email}`);
    expect(await hasRefreshCookie(page)).toBe(true);

    // A reload keeps the session (the refresh cookie), and Settings lists the linked provider.
    await page.goto('/settings');
    await expectText(page.getByRole('list', { name: 'Linked accounts' }), `Local ID · ${ada.email}`);
  },
  options,
);

browserTest(
  'an account that has the email but is not confirmed as theirs is not taken over: the page says what to do',
  async ({ page }) => {
    // A local account with the same address, never verified: the provider's word is not enough to link it.
    const created = await fetch(`http://127.0.0.1:${port}/api/v1/private/users/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: taken.email, password: 'a-local-password', full_name: 'Owner', is_verified: false }),
    });
    expect(created.status).toBe(200);

    await page.goto('/login');
    await page.getByRole('link', { name: 'Sign in with Local ID' }).click();
    await signInAtProvider(page, 'taken');

    await expectPath(page, '/login/callback');
    await expectText(page.getByRole('heading', { level: 1 }), 'Sign in with your password');
    await expectText(page.getByRole('alert'), 'then link Local ID from Settings');
    expect(await hasRefreshCookie(page)).toBe(false);
  },
  options,
);
