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
import { totpCode } from '../support/totp';

useBrowser();

const tag = randomUUID().slice(0, 8);
const ada = { email: `ada-${tag}@example.com`, email_verified: true, name: 'Ada Lovelace' };
const taken = { email: `taken-${tag}@example.com`, email_verified: true, name: 'Not The Owner' };
const guarded = { email: `guarded-${tag}@example.com`, email_verified: true, name: 'Grace Hopper' };

let provider: TestProvider;
let roster: RunningServer;
let port: number;

beforeAll(async () => {
  port = await freePort();
  provider = await startOidcProvider({
    redirectUris: [`http://localhost:${port}/api/v1/login/oauth/local/callback`],
    accounts: { ada, taken, guarded },
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

// Each journey waits on two servers and a provider: more than the suite's default on a busy machine.
const options = { baseURL: () => roster.url, timeout: 120_000 };

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

/** A call to this file's Roster (by address: see waitForHealth). */
async function call<T>(method: string, path: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

browserTest(
  'a user with an authenticator app passes the second step after the provider, before any session exists',
  async ({ page }) => {
    // A verified account with a password and TOTP on; the provider vouches for the same email.
    const password = 'a-local-password';
    await call('POST', '/private/users/', { email: guarded.email, password, full_name: guarded.name, is_verified: true });
    const login = await fetch(`http://127.0.0.1:${port}/api/v1/login/access-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: guarded.email, password }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const { secret } = await call<{ secret: string }>('POST', '/users/me/mfa/totp', { current_password: password }, token);
    await call('POST', '/users/me/mfa/totp/confirm', { code: totpCode(secret) }, token);

    await page.goto('/login');
    await page.getByRole('link', { name: 'Sign in with Local ID' }).click();
    await signInAtProvider(page, 'guarded');

    await expectText(page.getByRole('heading', { level: 1 }), 'Two-factor authentication');
    await expectPath(page, '/login/callback');
    expect(page.url()).not.toContain('mfa_token'); // taken out of the address bar and history
    expect(await hasRefreshCookie(page)).toBe(false);

    await page.getByLabel('Authentication code').fill(totpCode(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectText(page.getByRole('heading', { level: 1 }), 'Hi, Grace Hopper');
    await expectPath(page, '/');
    expect(await hasRefreshCookie(page)).toBe(true);
  },
  options,
);
