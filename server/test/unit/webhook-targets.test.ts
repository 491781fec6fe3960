import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { nextAttemptAt, parseRetryAfter } from '../../src/webhooks/schedule.js';
import { isPublicAddress, publicOnlyLookup, sendWebhook, TargetRefused, targetProblem } from '../../src/webhooks/target.js';

const strict = { allowPrivate: false };
const relaxed = { allowPrivate: true };

describe('webhook targets', () => {
  let server: http.Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((_, res) => {
      hits += 1;
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('outside development: https to public addresses only', () => {
    for (const url of [
      'http://example.com/hook',
      'https://127.0.0.1/hook',
      'https://10.1.2.3/hook',
      'https://192.168.0.1/',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[fd00::1]/hook',
      'https://100.64.0.1/',
      'https://localhost/x',
      'https://api.localhost/x',
    ]) {
      expect(targetProblem(url, strict), url).not.toBeNull();
    }
    expect(targetProblem('https://hooks.example.com/roster', strict)).toBeNull();
    expect(targetProblem('https://93.184.216.34/hook', strict)).toBeNull();
    expect(targetProblem('https://user:pw@example.com/', strict)).toMatch(/credentials/);
    expect(targetProblem('ftp://example.com/', relaxed)).toMatch(/http or https/);
    expect(targetProblem(`http://127.0.0.1:${port}/`, relaxed)).toBeNull();
  });

  it('classifies addresses', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
    for (const address of ['127.0.0.1', '10.0.0.1', '172.16.0.1', '0.0.0.0', '::1', 'fe80::1', '::ffff:10.0.0.1', '224.0.0.1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('refuses at delivery a name that resolves to a private address, and never connects', async () => {
    const before = hits;
    const request = { url: `https://localhost:${port}/hook`, headers: {}, body: '{}', timeoutMs: 2000 };
    const refused = await sendWebhook(request, strict);
    expect(refused).toEqual({ kind: 'error', message: 'The URL must point to a public address' });
    expect(hits).toBe(before);
    // Any other name meets the connection's own lookup, which checks every address it resolves to.
    const looked = await new Promise<unknown>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (error, addresses) => resolve(error ?? addresses)),
    );
    expect(looked).toBeInstanceOf(TargetRefused);
    expect((looked as Error).message).toMatch(/localhost resolves to a non-public address \(127\.0\.0\.1|::1\)/);
    const allowed = await sendWebhook({ ...request, url: `http://127.0.0.1:${port}/hook` }, relaxed);
    expect(allowed).toEqual({ kind: 'response', status: 204, retryAfter: null });
    expect(hits).toBe(before + 1);
  });

  it('WEBHOOK_ALLOW_PRIVATE_TARGETS is on by default only in local', () => {
    const base = {
      PROJECT_NAME: 'R',
      SECRET_KEY: 'a-production-secret-key-of-enough-length-123',
      FIRST_SUPERUSER: 'root@example.com',
      FIRST_SUPERUSER_PASSWORD: 'a-strong-admin-password',
    };
    expect(loadConfig({ ...base, ENVIRONMENT: 'local' }).config.webhooks.allowPrivateTargets).toBe(true);
    expect(loadConfig({ ...base, ENVIRONMENT: 'production' }).config.webhooks.allowPrivateTargets).toBe(false);
    expect(
      loadConfig({ ...base, ENVIRONMENT: 'staging', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }).config.webhooks.allowPrivateTargets,
    ).toBe(true);
    expect(() => loadConfig({ ...base, WEBHOOK_TIMEOUT_SECONDS: '0' })).toThrow(
      /WEBHOOK_TIMEOUT_SECONDS must be between 1 and 60/,
    );
  });
});

describe('the retry schedule', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const after = (at: Date | null) => (at ? (at.getTime() - now.getTime()) / 1000 : null);

  it('follows Standard Webhooks, with ±10 % jitter, and ends after 8 attempts', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => after(nextAttemptAt(n, now, () => 0.5, null)))).toEqual([
      5, 300, 1800, 7200, 18_000, 36_000, 36_000,
    ]);
    expect(after(nextAttemptAt(2, now, () => 0, null))).toBe(270);
    expect(after(nextAttemptAt(2, now, () => 0.999_999, null))).toBeCloseTo(330, 0);
    expect(nextAttemptAt(8, now, () => 0.5, null)).toBeNull();
  });

  it('waits for Retry-After when it is later, at most a day', () => {
    expect(after(nextAttemptAt(1, now, () => 0.5, 120))).toBe(120);
    expect(after(nextAttemptAt(3, now, () => 0.5, 120))).toBe(1800);
    expect(after(nextAttemptAt(1, now, () => 0.5, 10 * 86_400))).toBe(86_400);
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Sun, 01 Mar 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
