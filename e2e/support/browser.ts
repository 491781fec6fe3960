// Chromium (Debian's, never a downloaded build) driven by playwright-core, and `browserTest`:
// a test with a fresh browser context whose screenshot and trace are kept when it fails.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject, test } from 'vitest';
import { resultsDir } from './server';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

let browser: Browser | undefined;

/** Call once per test file: one browser per file, a new context per test. */
export function useBrowser(): void {
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
}

export function baseURL(): string {
  return inject('baseURL');
}

export type BrowserTestContext = { page: Page; context: BrowserContext; baseURL: string };
export type BrowserTestOptions = {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** Another server than the suite's (a file that starts its own, with other settings). */
  baseURL?: () => string;
  /** For a test that also waits on another server (a sign-in provider); default: the suite's. */
  timeout?: number;
};

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100);
}

export function browserTest(
  name: string,
  body: (t: BrowserTestContext) => Promise<void>,
  options: BrowserTestOptions = {},
): void {
  test(
    name,
    async (ctx) => {
      if (!browser) throw new Error('useBrowser() was not called in this file');
      const url = options.baseURL?.() ?? baseURL();
      const context = await browser.newContext({
        baseURL: url,
        viewport: options.viewport ?? { width: 1280, height: 860 },
        colorScheme: options.colorScheme ?? 'light',
        reducedMotion: 'reduce',
      });
      context.setDefaultTimeout(10_000);
      await context.tracing.start({ screenshots: true, snapshots: true });
      const page = await context.newPage();
      try {
        await body({ page, context, baseURL: url });
      } catch (error) {
        // Keep what shows why: the page as it was and a replayable trace
        // (open with `npx playwright-core show-trace <trace.zip>` or trace.playwright.dev).
        const dir = path.join(resultsDir, slug(`${path.basename(ctx.task.file.name)}-${name}`));
        mkdirSync(dir, { recursive: true });
        await page.screenshot({ path: path.join(dir, 'failure.png'), fullPage: true }).catch(() => {});
        await context.tracing.stop({ path: path.join(dir, 'trace.zip') }).catch(() => {});
        throw error;
      } finally {
        await context.close();
      }
    },
    options.timeout,
  );
}
