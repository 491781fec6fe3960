/**
 * Changes to webhook endpoints are audited in their transaction: who, which endpoint, its
 * URL, never a secret. The CLI's are in test/cli/webhooks.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ORIGIN } from '../../src/audit/service.js';
import { ManualClock } from '../../src/utils/clock.js';
import { useTestApp } from '../helpers/app.js';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.js';

const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
const testApp = useTestApp({ clock, webhookWorker: { random: () => 0.5, pollMs: 50 } });

interface AuditEvent {
  type: string;
  actor_id: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
}

let receiver: Receiver;

beforeEach(async () => {
  receiver = await startReceiver();
  receiver.now = () => clock.now();
});

afterEach(async () => {
  const t = testApp.get();
  for (const endpoint of (await t.ctx.webhooks.list(0, 100)).rows)
    await t.ctx.webhooks.delete(endpoint.id, { origin: SYSTEM_ORIGIN });
  await receiver.stop();
});

async function superuserId(): Promise<string> {
  const t = testApp.get();
  return (await t.request({ method: 'GET', url: '/api/v1/users/me', headers: await t.superuserAuth() })).json().id;
}

/** The audit events of one type about one endpoint, newest first, and the raw answer (to look for secrets). */
async function eventsOf(type: string, endpointId: string): Promise<{ events: AuditEvent[]; body: string }> {
  const t = testApp.get();
  const response = await t.request({
    method: 'GET',
    url: `/api/v1/audit-events?type=${type}`,
    headers: await t.superuserAuth(),
  });
  expect(response.statusCode).toBe(200);
  const events = (response.json().data as AuditEvent[]).filter((event) => event.target_id === endpointId);
  return { events, body: response.body };
}

async function call(method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) {
  const t = testApp.get();
  return t.request({ method, url: `/api/v1${url}`, headers: await t.superuserAuth(), payload });
}

async function createEndpoint(body: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
  const response = await call('POST', '/webhooks', { url: receiver.url, ...body });
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('webhook endpoint audit events', () => {
  it('webhook.endpoint_created: the superuser, the endpoint, its URL and events, never the secret', async () => {
    const endpoint = await createEndpoint({ event_types: ['user.created'] });
    const { events, body } = await eventsOf('webhook.endpoint_created', endpoint.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_id: await superuserId(),
      target_id: endpoint.id,
      details: { url: receiver.url, event_types: ['user.created'], enabled: true },
    });
    expect(body).not.toContain(endpoint.secret.slice(6));
    expect(body).not.toContain('whsec_');
  });

  it('webhook.endpoint_updated: what changed, the URL before and after; nothing for a change that changes nothing', async () => {
    const endpoint = await createEndpoint();
    const moved = `${receiver.url}moved`;
    expect((await call('PATCH', `/webhooks/${endpoint.id}`, { url: moved, enabled: false })).statusCode).toBe(200);
    let { events } = await eventsOf('webhook.endpoint_updated', endpoint.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_id: await superuserId(),
      details: { url: moved, previous_url: receiver.url, changed: ['url', 'enabled'], enabled: false },
    });

    expect((await call('PATCH', `/webhooks/${endpoint.id}`, { event_types: ['user.deleted'], enabled: true })).statusCode).toBe(
      200,
    );
    expect((await call('PATCH', `/webhooks/${endpoint.id}`, { enabled: true })).statusCode).toBe(200);
    ({ events } = await eventsOf('webhook.endpoint_updated', endpoint.id));
    expect(events).toHaveLength(2);
    // Two events can share a millisecond, so they are told apart by what they say, not by their order.
    const second = events.find((event) => (event.details as { changed?: string[] }).changed?.includes('event_types'));
    expect(second?.details).toMatchObject({ url: moved, changed: ['event_types', 'enabled'], event_types: ['user.deleted'] });
  });

  it('webhook.secret_rotated: the endpoint and until when the old secret signs, never either secret', async () => {
    const endpoint = await createEndpoint();
    const rotated = await call('POST', `/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { events, body } = await eventsOf('webhook.secret_rotated', endpoint.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_id: await superuserId(),
      details: { url: receiver.url, previous_secret_expires_at: rotated.json().previous_secret_expires_at },
    });
    expect(body).not.toContain('whsec_');
  });

  it('webhook.endpoint_deleted: the endpoint and its URL; an unknown endpoint writes nothing', async () => {
    const endpoint = await createEndpoint();
    expect((await call('DELETE', `/webhooks/${endpoint.id}`)).statusCode).toBe(200);
    const { events } = await eventsOf('webhook.endpoint_deleted', endpoint.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: await superuserId(), details: { url: receiver.url } });
    expect((await call('DELETE', `/webhooks/${endpoint.id}`)).statusCode).toBe(404);
    expect((await call('POST', `/webhooks/${endpoint.id}/rotate-secret`)).statusCode).toBe(404);
    expect((await eventsOf('webhook.endpoint_deleted', endpoint.id)).events).toHaveLength(1);
    expect((await eventsOf('webhook.secret_rotated', endpoint.id)).events).toHaveLength(0);
  });

  it('webhook.endpoint_disabled: Roster disabled an endpoint that answered 410, with no actor', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    receiver.answer = () => ({ status: 410 });
    await t.createUser();
    await expect.poll(async () => (await t.ctx.webhooks.get(endpoint.id))?.disabledReason).toBe('gone');
    const { events } = await eventsOf('webhook.endpoint_disabled', endpoint.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: null, details: { url: receiver.url, reason: 'gone' } });
  });
});
