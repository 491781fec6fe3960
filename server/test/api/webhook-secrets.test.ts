/**
 * Webhook signing secrets at rest: sealed with a key from SECRET_KEY and bound to their
 * endpoint, never in clear in the database; rows from before sealing keep signing and are
 * sealed at the next start; a SECRET_KEY that cannot open them sends nothing.
 */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type RosterApp } from '../../src/app.js';
import { createLogger } from '../../src/logging.js';
import { ManualClock } from '../../src/utils/clock.js';
import { WebhookSecretBox } from '../../src/webhooks/sealed-secrets.js';
import { UNREADABLE_SECRET_ERROR } from '../../src/webhooks/worker.js';
import { testConfig, useTestApp } from '../helpers/app.js';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.js';

const TEST_KEY = 'test-secret-key-that-is-long-enough-for-hs256';
const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
// No worker here: each test starts the process that delivers, with the SECRET_KEY it is about.
const testApp = useTestApp({ clock, webhookWorker: false });

let receiver: Receiver;
const started: RosterApp[] = [];

beforeEach(async () => {
  receiver = await startReceiver();
  receiver.now = () => clock.now();
});

afterEach(async () => {
  for (const app of started.splice(0)) await app.app.close();
  const t = testApp.get();
  await t.ctx.db.execute(sql`DELETE FROM webhook_endpoint`);
  await receiver.stop();
});

/** Another process on the same database, with a worker, as a restart or a second instance would be. */
async function startProcess(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const built = await buildApp({
    config: testConfig(env),
    database: testApp.get().database.handle,
    clock,
    logger: createLogger('info', 'json', destination),
    emailWorker: false,
    webhookWorker: { random: () => 0.5, pollMs: 50 },
  });
  started.push(built);
  await built.app.ready();
  return { ...built, lines };
}

async function stored(id: string) {
  const result = await testApp.get().ctx.db.execute(sql`SELECT secret, previous_secret FROM webhook_endpoint WHERE id = ${id}`);
  return (result as unknown as { rows: { secret: string; previous_secret: string | null }[] }).rows[0];
}

async function createEndpoint(): Promise<{ id: string; secret: string }> {
  const t = testApp.get();
  const response = await t.request({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: await t.superuserAuth(),
    payload: { url: receiver.url },
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function deliveries(id: string) {
  const t = testApp.get();
  const response = await t.request({ method: 'GET', url: `/api/v1/webhooks/${id}/deliveries`, headers: await t.superuserAuth() });
  return response.json().data as { id: string; status: string; attempts: number; last_error: string | null }[];
}

describe('webhook signing secrets at rest', () => {
  it('are sealed, bound to their endpoint, after a creation and a rotation; deliveries still verify', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    const box = new WebhookSecretBox(TEST_KEY);
    const created = await stored(endpoint.id);
    expect(created?.secret).not.toContain('whsec_');
    expect(created?.secret).not.toContain(endpoint.secret.slice(6));
    expect(box.open(String(created?.secret), endpoint.id)).toBe(endpoint.secret);
    // Copied to another endpoint's row, it does not open.
    expect(box.opens(String(created?.secret), '00000000-0000-4000-8000-000000000000')).toBe(false);

    const rotated = await t.request({
      method: 'POST',
      url: `/api/v1/webhooks/${endpoint.id}/rotate-secret`,
      headers: await t.superuserAuth(),
    });
    const newSecret = rotated.json().secret as string;
    const after = await stored(endpoint.id);
    const dump = await t.ctx.db.execute(sql`SELECT * FROM webhook_endpoint`);
    expect(JSON.stringify(dump)).not.toContain('whsec_');
    expect(box.open(String(after?.secret), endpoint.id)).toBe(newSecret);
    expect(box.open(String(after?.previous_secret), endpoint.id)).toBe(endpoint.secret);

    await startProcess();
    receiver.secrets = [endpoint.secret, newSecret];
    await t.createUser();
    const [received] = await receiver.waitFor(1);
    expect(received?.verifiedWith).toEqual([endpoint.secret, newSecret]);
  });

  it('a secret stored in clear before sealing still signs, and is sealed at the next start', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    // As a database from before this change holds it: the secret itself, current and previous.
    const old = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    await t.ctx.db.execute(
      sql`UPDATE webhook_endpoint SET secret = ${endpoint.secret}, previous_secret = ${old},
          previous_secret_expires_at = ${new Date(clock.now().getTime() + 3600_000).toISOString()}::timestamptz
          WHERE id = ${endpoint.id}`,
    );
    // Two processes start at once: each seals what is still in clear, neither undoes the other.
    const [first, second] = await Promise.all([startProcess(), startProcess()]);
    const after = await stored(endpoint.id);
    expect(after?.secret).not.toContain('whsec_');
    expect(after?.previous_secret).not.toContain('whsec_');
    const box = new WebhookSecretBox(TEST_KEY);
    expect(box.open(String(after?.secret), endpoint.id)).toBe(endpoint.secret);
    expect(box.open(String(after?.previous_secret), endpoint.id)).toBe(old);
    const logged = [...first.lines, ...second.lines].join('');
    expect(logged).toMatch(/sealed [12] webhook signing secrets stored in clear/);
    expect(logged).not.toContain('whsec_');

    receiver.secrets = [endpoint.secret, old];
    await t.createUser();
    const [received] = await receiver.waitFor(1);
    expect(received?.verifiedWith).toEqual([endpoint.secret, old]);
  });

  it('a clear secret signs before the start-up step has sealed it (a row an older process wrote)', async () => {
    const t = testApp.get();
    const running = await startProcess();
    const endpoint = await createEndpoint();
    await t.ctx.db.execute(sql`UPDATE webhook_endpoint SET secret = ${endpoint.secret} WHERE id = ${endpoint.id}`);
    receiver.secrets = [endpoint.secret];
    await t.createUser();
    const [received] = await receiver.waitFor(1);
    expect(received?.verifiedWith).toEqual([endpoint.secret]);
    expect(running.lines.join('')).not.toContain('whsec_');
  });

  it('under another SECRET_KEY nothing is sent; the log says which endpoint, never the secret', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    const wrong = await startProcess({ SECRET_KEY: 'another-secret-key-that-is-long-enough-too' });
    const startLog = wrong.lines.join('');
    expect(startLog).toContain('cannot be decrypted with this SECRET_KEY');
    expect(startLog).toContain(endpoint.id);

    await t.createUser();
    await expect.poll(async () => (await deliveries(endpoint.id))[0]?.attempts, { timeout: 10_000 }).toBe(1);
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ status: 'pending', last_error: UNREADABLE_SECRET_ERROR });
    expect(receiver.received).toHaveLength(0);
    const logged = wrong.lines.join('');
    expect(logged).toContain('webhook not sent: its signing secret cannot be decrypted');
    expect(logged).not.toContain('whsec_');
    expect(logged).not.toContain(endpoint.secret.slice(6));

    // Back on the right key, the retry goes out, signed with the endpoint's secret.
    await wrong.app.close();
    started.splice(started.indexOf(wrong), 1);
    await startProcess();
    receiver.secrets = [endpoint.secret];
    const retried = await t.request({
      method: 'POST',
      url: `/api/v1/webhooks/${endpoint.id}/deliveries/${delivery?.id}/retry`,
      headers: await t.superuserAuth(),
    });
    expect(retried.statusCode).toBe(200);
    const [received] = await receiver.waitFor(1);
    expect(received?.verifiedWith).toEqual([endpoint.secret]);
  });

  it('a rotation under another SECRET_KEY drops the old secret it cannot open, and the new one signs there', async () => {
    const endpoint = await createEndpoint();
    const other = await startProcess({ SECRET_KEY: 'another-secret-key-that-is-long-enough-too' });
    const rotated = await other.ctx.webhooks.rotateSecret(endpoint.id, { origin: { actorId: null, ip: null, userAgent: null } });
    expect(rotated?.previousExpiresAt).toBeNull();
    const after = await stored(endpoint.id);
    expect(after?.previous_secret).toBeNull();
    expect(new WebhookSecretBox('another-secret-key-that-is-long-enough-too').open(String(after?.secret), endpoint.id)).toBe(
      rotated?.secret,
    );
    receiver.secrets = [String(rotated?.secret)];
    await testApp.get().createUser();
    const [received] = await receiver.waitFor(1);
    expect(received?.verifiedWith).toEqual([rotated?.secret]);
  });
});
