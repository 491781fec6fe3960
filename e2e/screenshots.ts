// README screenshots from the same browser setup as the tests: sign in, the admin users
// table, settings in dark mode, and at 375 px (a phone) the users, items and audit tables as
// stacked cards. Starts a Roster server on a fresh database, seeds a few
// plausible users and items, and writes docs/screenshots/*.png.
//   npm run screenshots            (from the repo root)
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { buildIfNeeded, repoRoot, startServer } from './support/server';

const outDir = path.join(repoRoot, 'docs', 'screenshots');
const ADMIN = { email: 'admin@example.com', password: 'changethis' };

type Json = Record<string, unknown>;

async function call(base: string, method: string, route: string, body?: Json | URLSearchParams, token?: string): Promise<Json> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body && !(body instanceof URLSearchParams)) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${base}/api/v1${route}`, {
    method,
    headers,
    body: body instanceof URLSearchParams ? body : body && JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route} → ${response.status} ${await response.text()}`);
  return (await response.json()) as Json;
}

async function login(base: string, email: string, password: string): Promise<string> {
  const token = await call(base, 'POST', '/login/access-token', new URLSearchParams({ username: email, password }));
  return String(token.access_token);
}

const PEOPLE: { name: string; email: string; verified?: boolean; superuser?: boolean; inactive?: boolean }[] = [
  { name: 'Ada Lovelace', email: 'ada@example.com', verified: true },
  { name: 'Grace Hopper', email: 'grace@example.com', verified: true, superuser: true },
  { name: 'Alan Turing', email: 'alan@example.com', verified: true },
  { name: 'Katherine Johnson', email: 'katherine@example.com' },
  { name: 'Edsger Dijkstra', email: 'edsger@example.com', inactive: true },
  { name: 'Barbara Liskov', email: 'barbara@example.com', verified: true },
  { name: 'Linus Torvalds', email: 'linus@example.com' },
];

async function seed(base: string): Promise<void> {
  const admin = await login(base, ADMIN.email, ADMIN.password);
  await call(base, 'PATCH', '/users/me', { full_name: 'Roster Admin' }, admin);
  for (const person of PEOPLE) {
    const user = await call(base, 'POST', '/private/users/', {
      email: person.email,
      password: 'a-long-password',
      full_name: person.name,
      is_verified: person.verified ?? false,
    });
    if (person.superuser || person.inactive) {
      await call(base, 'PATCH', `/users/${user.id}`, { is_superuser: !!person.superuser, is_active: !person.inactive }, admin);
    }
  }
  const ada = await login(base, 'ada@example.com', 'a-long-password');
  await call(base, 'POST', '/items/', { title: 'Analytical engine notes', description: 'Note G' }, ada);
  const grace = await login(base, 'grace@example.com', 'a-long-password');
  await call(base, 'POST', '/items/', { title: 'Compiler A-0', description: 'The first one' }, grace);
  await call(
    base,
    'POST',
    '/items/',
    { title: 'A moth in relay 70', description: 'First actual case of bug being found' },
    grace,
  );
  // A few events an admin would look for in the audit log.
  const alan = await call(base, 'POST', '/private/users/', {
    email: 'alan.t@example.com',
    password: 'a-long-password',
    full_name: 'Alan Mathison',
  });
  await call(base, 'PATCH', `/users/${alan.id}`, { email: 'alan.mathison@example.com', is_superuser: false }, admin);
  await fetch(`${base}/api/v1/login/access-token`, {
    method: 'POST',
    body: new URLSearchParams({ username: 'katherine@example.com', password: 'not-her-password' }),
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  const file = path.join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  process.stderr.write(`wrote ${path.relative(repoRoot, file)}\n`);
}

/** The stacked-card tables at 375 px, signed in as the admin (session cookie, as the app does). */
async function shootPhoneTables(base: string, browser: Browser): Promise<void> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 375, height: 812 }, colorScheme: 'light' });
  const signedIn = await context.request.post('/api/v1/login/access-token', {
    form: { username: ADMIN.email, password: ADMIN.password },
    headers: { 'X-Roster-Refresh': 'cookie' },
  });
  if (!signedIn.ok()) throw new Error(`login → ${signedIn.status()}`);
  const page = await context.newPage();

  await page.goto('/admin');
  await page.locator('tbody tr').nth(3).waitFor();
  await shoot(page, 'admin-users-375');

  await page.goto('/items');
  await page.locator('tbody tr').nth(2).waitFor();
  await shoot(page, 'items-375');

  await page.goto('/admin/audit');
  await page.locator('tbody tr').nth(3).waitFor();
  // Names are fetched per person: wait until no id stands in for one.
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('tbody td > div > p')).every((p) => !/\b[0-9a-f]{8}\b/.test(p.textContent ?? '')),
  );
  await shoot(page, 'audit-375');
  await context.close();
}

async function main() {
  const external = process.env.E2E_BASE_URL?.replace(/\/$/, '');
  if (!external) buildIfNeeded();
  const server = external ? { url: external, stop: async () => {} } : await startServer('screenshots-server.log');
  const browser = await launchBrowser();
  try {
    await seed(server.url);
    mkdirSync(outDir, { recursive: true });
    const context = await browser.newContext({
      baseURL: server.url,
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
    const page = await context.newPage();

    await page.goto('/login');
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await shoot(page, 'sign-in');

    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: /^Hi, / }).waitFor();
    await page.goto('/admin');
    await page.locator('tbody tr').nth(PEOPLE.length).waitFor();
    await page.mouse.move(0, 0);
    await shoot(page, 'admin-users');

    await page.evaluate(() => localStorage.setItem('roster.appearance', 'dark'));
    await page.goto('/settings');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await shoot(page, 'settings-dark');
    await context.close();

    await shootPhoneTables(server.url, browser);
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
