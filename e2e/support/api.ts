// Test setup through the API (fast, no clicking): fresh users per test via the private
// route, superuser actions with the first superuser's token.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { baseURL } from './browser';

export const FIRST_SUPERUSER = { email: 'admin@example.com', password: 'changethis' };

export type TestUser = { id: string; email: string; password: string; full_name: string };

/** An address no other test uses: tests share one database. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

export function uniqueTag(prefix = 't'): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

async function request<T>(
  method: string,
  path: string,
  options: { token?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (options.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const response = await fetch(`${baseURL()}/api/v1${path}`, { method, headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('json') ? JSON.parse(text) : text) as T;
}

export async function tokenFor(email: string, password: string): Promise<string> {
  const { access_token } = await request<{ access_token: string }>('POST', '/login/access-token', {
    form: { username: email, password },
  });
  return access_token;
}

let adminToken: Promise<string> | undefined;
export function superuserToken(): Promise<string> {
  adminToken ??= tokenFor(FIRST_SUPERUSER.email, FIRST_SUPERUSER.password);
  return adminToken;
}

export async function createUser(
  options: { prefix?: string; full_name?: string; is_verified?: boolean; password?: string } = {},
): Promise<TestUser> {
  const email = uniqueEmail(options.prefix);
  const password = options.password ?? `pw-${randomUUID().slice(0, 12)}`;
  const full_name = options.full_name ?? `Test ${email.split('@')[0]}`;
  const user = await request<{ id: string }>('POST', '/private/users/', {
    json: { email, password, full_name, is_verified: options.is_verified ?? false },
  });
  return { id: user.id, email, password, full_name };
}

/** A superuser made by the first superuser (the private route cannot make superusers). */
export async function createSuperuser(prefix = 'admin'): Promise<TestUser> {
  const email = uniqueEmail(prefix);
  const password = `pw-${randomUUID().slice(0, 12)}`;
  const full_name = `Admin ${email.split('@')[0]}`;
  const user = await request<{ id: string }>('POST', '/users/', {
    token: await superuserToken(),
    json: { email, password, full_name, is_superuser: true },
  });
  return { id: user.id, email, password, full_name };
}

export async function updateUser(id: string, patch: Record<string, unknown>): Promise<void> {
  await request('PATCH', `/users/${id}`, { token: await superuserToken(), json: patch });
}

/** Sets exactly the roles a user holds (as the first superuser). */
export async function setRoles(id: string, roles: string[]): Promise<void> {
  await request('PUT', `/users/${id}/roles`, { token: await superuserToken(), json: { roles } });
}

/** An organization `owner` creates (and so owns); the owner's email must be verified. */
export async function createOrg(
  owner: TestUser,
  name: string,
  slug: string,
): Promise<{ id: string; name: string; slug: string }> {
  return request('POST', '/orgs', { token: await tokenFor(owner.email, owner.password), json: { name, slug } });
}

export async function deleteUser(id: string): Promise<void> {
  await request('DELETE', `/users/${id}`, { token: await superuserToken() });
}

export async function getUser(id: string): Promise<{
  email: string;
  full_name: string | null;
  is_active: boolean;
  is_superuser: boolean;
  is_verified: boolean;
  roles?: string[];
}> {
  return request('GET', `/users/${id}`, { token: await superuserToken() });
}

export async function userExists(id: string): Promise<boolean> {
  const response = await fetch(`${baseURL()}/api/v1/users/${id}`, {
    headers: { Authorization: `Bearer ${await superuserToken()}` },
  });
  if (response.status === 404) return false;
  if (response.ok) return true;
  throw new Error(`GET /users/${id} → ${response.status}`);
}

export async function createItem(user: TestUser, title: string, description: string | null = null): Promise<{ id: string }> {
  return request('POST', '/items/', { token: await tokenFor(user.email, user.password), json: { title, description } });
}

export async function canSignIn(email: string, password: string): Promise<boolean> {
  const response = await fetch(`${baseURL()}/api/v1/login/access-token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password }).toString(),
  });
  return response.ok;
}

/**
 * The token in a reset link emailed to `email`: asks for one and reads it from the dev
 * mailbox (the superuser's HTML preview shows only a placeholder link).
 */
export async function resetTokenFor(email: string): Promise<string> {
  await request('POST', `/password-recovery/${encodeURIComponent(email)}`);
  // The mail is written just after the answer (the answer never waits on the account lookup).
  let html = '';
  for (let attempt = 0; attempt < 50 && !html; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    const mailbox = await request<{ data: { to: string; kind: string; html: string }[] }>('GET', '/private/emails/?limit=200');
    html = mailbox.data.find((mail) => mail.to === email && mail.kind === 'password_reset')?.html ?? '';
  }
  const match = /reset-password\?token=([^"'&<\s]+)/.exec(html);
  if (!match?.[1]) throw new Error(`no reset link in the recovery email: ${html.slice(0, 300)}`);
  return decodeURIComponent(match[1].replace(/&amp;/g, '&'));
}

/**
 * Open `path` already signed in as `user`, skipping the sign-in form (which has its own
 * tests): log in through the browser context's own request client, asking for the refresh
 * cookie as the app does, so the page finds a session when it loads.
 */
export async function openSignedIn(page: Page, user: Pick<TestUser, 'email' | 'password'>, path = '/'): Promise<void> {
  const response = await page.context().request.post('/api/v1/login/access-token', {
    form: { username: user.email, password: user.password },
    headers: { 'X-Roster-Refresh': 'cookie' },
  });
  if (!response.ok()) throw new Error(`login as ${user.email} → ${response.status()}: ${await response.text()}`);
  await page.goto(path);
}

/** Whether the browser still holds a refresh cookie (HttpOnly: scripts cannot see it). */
export async function hasRefreshCookie(page: Page): Promise<boolean> {
  return (await page.context().cookies()).some((cookie) => cookie.name === 'roster_refresh');
}

/** A superuser signs `user` out everywhere (all their sessions revoked). */
export async function revokeSessions(id: string): Promise<void> {
  await request('DELETE', `/users/${id}/sessions`, { token: await superuserToken() });
}

/** The status GET /users/me answers for an access token: 200 while its session lives. */
export async function meStatus(token: string): Promise<number> {
  const response = await fetch(`${baseURL()}/api/v1/users/me`, { headers: { Authorization: `Bearer ${token}` } });
  return response.status;
}

/**
 * Turn on the authenticator app for `user` through the API (for tests about signing in with
 * it): answers the secret and the ten recovery codes. The confirming code is the current
 * step's, so a sign-in right after needs another step's code (a code works once).
 */
export async function enableTotp(
  user: Pick<TestUser, 'email' | 'password'>,
  codeFor: (secret: string) => string,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const token = await tokenFor(user.email, user.password);
  const { secret } = await request<{ secret: string }>('POST', '/users/me/mfa/totp', {
    token,
    json: { current_password: user.password },
  });
  const { recovery_codes } = await request<{ recovery_codes: string[] }>('POST', '/users/me/mfa/totp/confirm', {
    token,
    json: { code: codeFor(secret) },
  });
  return { secret, recoveryCodes: recovery_codes };
}
