// Waiting assertions on top of playwright-core (which has no `expect` of its own).
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

const TIMEOUT = 10_000;

/**
 * Wait until the text of the locator's elements contains `expected` (or matches it). All
 * matches count: with several toasts on screen, the newest one is not the first.
 */
export async function expectText(locator: Locator, expected: string | RegExp): Promise<void> {
  await expect
    .poll(async () => ((await locator.count()) > 0 ? (await locator.allInnerTexts()).join('\n') : '<no element>'), {
      timeout: TIMEOUT,
    })
    [typeof expected === 'string' ? 'toContain' : 'toMatch'](expected as never);
}

export async function expectVisible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: TIMEOUT });
}

export async function expectHidden(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: 'hidden', timeout: TIMEOUT });
}

export async function expectPath(page: Page, pathname: string): Promise<void> {
  await expect.poll(() => new URL(page.url()).pathname, { timeout: TIMEOUT }).toBe(pathname);
}

/** The text of the form's error banner (role=alert inside main). */
export function formAlert(page: Page): Locator {
  return page.locator('main [role="alert"], dialog [role="alert"]');
}

export function toast(page: Page, kind?: 'success' | 'error' | 'info'): Locator {
  return page.locator(kind ? `[data-toast="${kind}"]` : '[data-toast]');
}

/** Records requests whose URL path matches, to assert that a form sent nothing. */
export function watchRequests(page: Page, pathPart: string): { count: () => number } {
  let count = 0;
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.includes(pathPart)) count++;
  });
  return { count: () => count };
}
