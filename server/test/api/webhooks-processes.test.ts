import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GENEROUS_LIMITS } from '../helpers/app.js';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { type RosterProcess, startRoster } from '../helpers/process.js';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.js';

vi.setConfig({ testTimeout: 180_000 });

const ADMIN = { email: 'root@example.com', password: 'a-strong-admin-password' };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A database for this test's processes: a new PostgreSQL database, or an embedded data folder. */
async function sharedDatabase(): Promise<Record<string, string>> {
  if (onPostgres) {
    const database = await createPostgresDatabase('roster_webhooks');
    cleanups.push(database.drop);
    return { DATABASE_URL: database.url };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-webhooks-'));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  return { DATA_DIR: dataDir };
}

function rosterEnv(database: Record<string, string>): Record<string, string> {
  return {
    ...GENEROUS_LIMITS,
    ...database,
    ENVIRONMENT: 'staging',
    PROJECT_NAME: 'Roster',
    SECRET_KEY: 'a-production-secret-key-of-enough-length-123',
    FIRST_SUPERUSER: ADMIN.email,
    FIRST_SUPERUSER_PASSWORD: ADMIN.password,
    // The receivers listen on loopback.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_TIMEOUT_SECONDS: '2',
  };
}

async function started(env: Record<string, string>): Promise<RosterProcess> {
  const roster = await startRoster(env);
  cleanups.push(() => roster.stop());
  await roster.ready();
  return roster;
}

async function adminAuth(roster: RosterProcess): Promise<Record<string, string>> {
  const response = await fetch(`${roster.baseUrl}/api/v1/login/access-token`, {
    method: 'POST',
    body: new URLSearchParams({ username: ADMIN.email, password: ADMIN.password }),
  });
  const { access_token } = (await response.json()) as { access_token: string };
  return { authorization: `Bearer ${access_token}` };
}

async function registerEndpoint(roster: RosterProcess, receiver: Receiver): Promise<string> {
  const response = await fetch(`${roster.baseUrl}/api/v1/webhooks`, {
    method: 'POST',
    headers: { ...(await adminAuth(roster)), 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, event_types: ['user.created'] }),
  });
  expect(response.status).toBe(200);
  const { id, secret } = (await response.json()) as { id: string; secret: string };
  receiver.secrets = [secret];
  return id;
}

function signup(roster: RosterProcess, email: string): Promise<Response> {
  return fetch(`${roster.baseUrl}/api/v1/users/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'process-password' }),
  });
}

async function receiverForTest(): Promise<Receiver> {
  const receiver = await startReceiver();
  cleanups.push(() => receiver.stop());
  return receiver;
}

describe('webhooks across processes', () => {
  it('a process killed mid-delivery: the delivery is sent again, with the same webhook-id', async () => {
    const env = rosterEnv(await sharedDatabase());
    const receiver = await receiverForTest();
    const first = await started(env);
    const endpointId = await registerEndpoint(first, receiver);
    receiver.answer = (_, index) => (index === 0 ? 'hang' : { status: 200 });
    expect((await signup(first, `killed-${Date.now()}@example.com`)).status).toBe(200);
    await receiver.waitFor(1);
    // Killed while the receiver holds the request: the attempt is never recorded.
    first.child.kill('SIGKILL');
    await first.exited();

    // Another process (on the embedded database, the same one restarted) takes over once the lease is gone.
    const second = await started(env);
    const [held, again] = await receiver.waitFor(2, 60_000);
    expect(again?.id).toBe(held?.id);
    expect(again?.body).toBe(held?.body);
    expect(receiver.received.every((w) => w.verifiedWith.length === 1)).toBe(true);
    const auth = await adminAuth(second);
    await expect
      .poll(async () => {
        const response = await fetch(`${second.baseUrl}/api/v1/webhooks/${endpointId}/deliveries`, { headers: auth });
        return ((await response.json()) as { data: unknown[] }).data[0];
      })
      .toMatchObject({ status: 'delivered', last_status_code: 200 });
  });

  it.skipIf(!onPostgres)('two processes never deliver one event twice', async () => {
    const env = rosterEnv(await sharedDatabase());
    const receivers = [await receiverForTest(), await receiverForTest()];
    const first = await started(env);
    const second = await started(env);
    for (const receiver of receivers) await registerEndpoint(first, receiver);
    const emails = Array.from({ length: 30 }, (_, i) => `pair-${i}-${Date.now()}@example.com`);
    const responses = await Promise.all(emails.map((email, i) => signup(i % 2 ? first : second, email)));
    expect(responses.map((r) => r.status)).toEqual(emails.map(() => 200));
    for (const receiver of receivers) await receiver.waitFor(30, 30_000);
    // Longer than a poll of both workers: a second delivery of anything would have come by now.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const receiver of receivers) {
      expect(receiver.received).toHaveLength(30);
      expect(new Set(receiver.received.map((w) => w.id)).size).toBe(30);
      expect(new Set(receiver.received.map((w) => w.data.email))).toEqual(new Set(emails));
      expect(receiver.received.every((w) => w.verifiedWith.length === 1)).toBe(true);
    }
  });
});
