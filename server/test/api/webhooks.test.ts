import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ORIGIN } from '../../src/audit/service.js';
import { ManualClock } from '../../src/utils/clock.js';
import { uniqueEmail, useTestApp } from '../helpers/app.js';
import { enrolledUser } from '../helpers/mfa.js';
import { invitationToken } from '../helpers/orgs.js';
import { type Receiver, startReceiver } from '../helpers/webhook-receiver.js';

const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
// The jitter's middle: a retry lands exactly on the schedule.
const testApp = useTestApp({ clock, webhookWorker: { random: () => 0.5, pollMs: 50 } });

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

async function createEndpoint(body: Record<string, unknown> = {}) {
  const t = testApp.get();
  const response = await t.request({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: await t.superuserAuth(),
    payload: { url: receiver.url, ...body },
  });
  expect(response.statusCode).toBe(200);
  const endpoint = response.json();
  receiver.secrets = [endpoint.secret];
  return endpoint as { id: string; secret: string };
}

async function deliveriesOf(endpointId: string) {
  const t = testApp.get();
  const response = await t.request({
    method: 'GET',
    url: `/api/v1/webhooks/${endpointId}/deliveries`,
    headers: await t.superuserAuth(),
  });
  expect(response.statusCode).toBe(200);
  return response.json().data as {
    id: string;
    message_id: string;
    status: string;
    attempts: number;
    next_attempt_at: string | null;
    last_status_code: number | null;
  }[];
}

/** Waits until the receiver has `count` more requests, and returns their types (sorted). */
async function nextTypes(since: number, count: number): Promise<string[]> {
  await receiver.waitFor(since + count);
  return receiver.received
    .slice(since)
    .map((w) => w.type)
    .sort();
}

describe('webhook endpoints', () => {
  it('are for superusers only, and show the secret only at creation', async () => {
    const t = testApp.get();
    const user = await t.createUser();
    const refused = await t.request({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: user.auth,
      payload: { url: receiver.url },
    });
    expect(refused.statusCode).toBe(403);
    const endpoint = await createEndpoint({ description: 'CRM sync', event_types: ['user.created'] });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(endpoint.secret.slice(6), 'base64')).toHaveLength(32);
    const shown = await t.request({ method: 'GET', url: `/api/v1/webhooks/${endpoint.id}`, headers: await t.superuserAuth() });
    expect(shown.json()).toMatchObject({
      url: receiver.url,
      description: 'CRM sync',
      event_types: ['user.created'],
      enabled: true,
    });
    expect(shown.body).not.toContain(endpoint.secret.slice(6));
    const listed = await t.request({ method: 'GET', url: '/api/v1/webhooks', headers: await t.superuserAuth() });
    expect(listed.json().count).toBe(1);
    expect(listed.body).not.toContain(endpoint.secret.slice(6));
  });

  it('refuse an unknown event type and a URL that is not http(s)', async () => {
    const t = testApp.get();
    const auth = await t.superuserAuth();
    const badType = await t.request({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: auth,
      payload: { url: receiver.url, event_types: ['user.exploded'] },
    });
    expect(badType.statusCode).toBe(422);
    const badUrl = await t.request({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: auth,
      payload: { url: 'ftp://example.com/x' },
    });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().detail).toBe('The URL must be http or https');
  });
});

describe('webhook events', () => {
  it('are sent for every kind of change to a user, signed, with the user as UserPublic', async () => {
    const t = testApp.get();
    const admin = await t.superuserAuth();
    await createEndpoint();
    let seen = 0;
    const step = async (count: number) => {
      const types = await nextTypes(seen, count);
      seen += count;
      return types;
    };

    const email = uniqueEmail('events');
    const signup = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email, password: 'events-password-1' },
    });
    const userId = signup.json().id as string;
    expect(await step(1)).toEqual(['user.created']);
    const created = receiver.received[0];
    expect(created?.data).toMatchObject({ id: userId, email, is_active: true, is_verified: false });
    expect(Object.keys(created?.data ?? {}).sort()).toEqual(
      ['created_at', 'email', 'full_name', 'id', 'is_active', 'is_superuser', 'is_verified', 'mfa_enabled'].sort(),
    );

    const patch = (payload: Record<string, unknown>) =>
      t.request({ method: 'PATCH', url: `/api/v1/users/${userId}`, headers: admin, payload });
    await patch({ full_name: 'Ann Events' });
    expect(await step(1)).toEqual(['user.updated']);
    expect(receiver.received.at(-1)?.data).toMatchObject({ full_name: 'Ann Events', changed: ['full_name'] });

    await patch({ is_verified: true });
    expect(await step(2)).toEqual(['user.updated', 'user.verified']);
    await patch({ is_active: false });
    expect(await step(2)).toEqual(['user.deactivated', 'user.updated']);
    await patch({ is_active: true });
    expect(await step(2)).toEqual(['user.activated', 'user.updated']);

    // Two sessions: changing the password keeps the one it was changed from and ends the other.
    await t.authFor(email, 'events-password-1');
    const auth = await t.authFor(email, 'events-password-1');
    await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: auth,
      payload: { current_password: 'events-password-1', new_password: 'events-password-2' },
    });
    expect(await step(3)).toEqual(['session.revoked_all', 'user.password_changed', 'user.updated']);
    const revoked = receiver.received.slice(-3).find((w) => w.type === 'session.revoked_all');
    expect(revoked?.data).toMatchObject({ id: userId, reason: 'password_changed', sessions_ended: 1 });

    const newEmail = uniqueEmail('moved');
    const moved = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me',
      headers: auth,
      payload: { email: newEmail, current_password: 'events-password-2' },
    });
    expect(moved.statusCode).toBe(200);
    expect(await step(2)).toEqual(['user.email_changed', 'user.updated']);
    const changed = receiver.received.slice(-2).find((w) => w.type === 'user.email_changed');
    expect(changed?.data).toMatchObject({ email: newEmail, previous_email: email });

    await t.request({ method: 'DELETE', url: '/api/v1/users/me/sessions', headers: auth });
    expect(await step(1)).toEqual(['session.revoked_all']);
    expect(receiver.received.at(-1)?.data).toMatchObject({ reason: 'user', sessions_ended: 0 });

    await t.request({ method: 'DELETE', url: `/api/v1/users/${userId}`, headers: admin });
    expect(await step(1)).toEqual(['user.deleted']);
    expect(receiver.received.at(-1)?.data).toMatchObject({ id: userId, email: newEmail });

    for (const webhook of receiver.received) {
      expect(webhook.verifiedWith).toHaveLength(1);
      expect(webhook.body).not.toMatch(/hashed|\$argon2|token|secret/);
    }
    expect(new Set(receiver.received.map((w) => w.id)).size).toBe(receiver.received.length);
  });

  it('go only to endpoints subscribed to their type', async () => {
    const t = testApp.get();
    const other = await startReceiver();
    try {
      await createEndpoint({ event_types: ['user.deleted'] });
      const everything = await t.request({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: await t.superuserAuth(),
        payload: { url: other.url },
      });
      other.secrets = [everything.json().secret];
      other.now = () => clock.now();
      const user = await t.createUser();
      await t.request({ method: 'DELETE', url: `/api/v1/users/${user.id}`, headers: await t.superuserAuth() });
      await other.waitFor(2);
      await receiver.waitFor(1);
      expect(other.received.map((w) => w.type)).toEqual(['user.created', 'user.deleted']);
      expect(receiver.received.map((w) => w.type)).toEqual(['user.deleted']);
      // One event, one webhook-id, whichever endpoint receives it.
      expect(receiver.received[0]?.id).toBe(other.received[1]?.id);
    } finally {
      await other.stop();
    }
  });

  it('are not sent for a change that rolls back', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    const doomed = uniqueEmail('doomed');
    await expect(
      t.ctx.users.create({ email: doomed, password: 'doomed-password' }, async () => {
        throw new Error('the welcome mail could not be queued');
      }),
    ).rejects.toThrow('welcome mail');
    const kept = uniqueEmail('kept');
    await t.ctx.users.create({ email: kept, password: 'kept-password' });
    await receiver.waitFor(1);
    // Deliveries to an endpoint go in commit order: a doomed event would have come first.
    expect(receiver.received.map((w) => w.data.email)).toEqual([kept]);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
  });

  it('a ping from the test button, followed in the deliveries', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint({ event_types: ['user.deleted'] });
    const ping = await t.request({
      method: 'POST',
      url: `/api/v1/webhooks/${endpoint.id}/test`,
      headers: await t.superuserAuth(),
    });
    expect(ping.statusCode).toBe(200);
    expect(ping.json()).toMatchObject({ event_type: 'ping', status: 'pending' });
    const [received] = await receiver.waitFor(1);
    expect(received).toMatchObject({ type: 'ping', id: ping.json().message_id, verifiedWith: [endpoint.secret] });
    await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.status).toBe('delivered');
    expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ attempts: 1, last_status_code: 204, next_attempt_at: null });
  });
});

describe('webhook events of second factors, passkeys, providers, roles and organizations', () => {
  it('follow their audit events, with the user concerned and the details, and only for subscribers', async () => {
    const t = testApp.get();
    await createEndpoint({ event_types: ['mfa.totp_enrolled', 'mfa.reset_by_admin'] });
    const arrived = (type: string) => receiver.received.filter((w) => w.type === type);

    const user = await enrolledUser(t, clock);
    await expect.poll(() => arrived('mfa.totp_enrolled').length).toBe(1);
    const enrolled = arrived('mfa.totp_enrolled')[0];
    expect(enrolled?.data).toMatchObject({ id: user.id, email: user.email });
    expect(JSON.stringify(enrolled?.data)).not.toContain(user.secret);

    const reset = await t.request({ method: 'DELETE', url: `/api/v1/users/${user.id}/mfa`, headers: await t.superuserAuth() });
    expect(reset.statusCode).toBe(200);
    await expect.poll(() => arrived('mfa.reset_by_admin').length).toBe(1);
    expect(arrived('mfa.reset_by_admin')[0]?.data).toMatchObject({ id: user.id, mfa_enabled: false });
    // The endpoint subscribed to these two only: the reset's other events (sessions ended) were not sent to it.
    expect(receiver.received.map((w) => w.type).sort()).toEqual(['mfa.reset_by_admin', 'mfa.totp_enrolled']);
  });
});

describe('webhook events of an invitation that verifies the account', () => {
  it('accepting it, or signing up with it, sends user.updated and user.verified as any other verification does', async () => {
    const t = testApp.get();
    const owner = await t.createUser();
    await t.ctx.users.update(owner.id, { isVerified: true });
    const org = await t.request({
      method: 'POST',
      url: '/api/v1/orgs',
      headers: owner.auth,
      payload: { name: 'Invitations', slug: `webhook-invitations-${process.pid}` },
    });
    expect(org.statusCode).toBe(200);
    const invite = async (email: string) => {
      const sent = await t.request({
        method: 'POST',
        url: `/api/v1/orgs/${org.json().id}/invitations`,
        headers: owner.auth,
        payload: { email, role: 'member' },
      });
      expect(sent.statusCode).toBe(200);
      return invitationToken(t, email);
    };
    const invitee = await t.createUser();
    const token = await invite(invitee.email);
    await createEndpoint({ event_types: ['user.updated', 'user.verified'] });

    const accepted = await t.request({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      headers: invitee.auth,
      payload: { token },
    });
    expect(accepted.statusCode).toBe(200);
    expect(await nextTypes(0, 2)).toEqual(['user.updated', 'user.verified']);
    const updated = receiver.received.find((w) => w.type === 'user.updated');
    expect(updated?.data).toMatchObject({ id: invitee.id, is_verified: true, changed: ['is_verified'] });
    // This process's user cache forgot the unverified row at once.
    const me = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: invitee.auth });
    expect(me.json().is_verified).toBe(true);

    const newcomer = uniqueEmail('invited-signup');
    const signup = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email: newcomer, password: 'invited-password-1', invitation_token: await invite(newcomer) },
    });
    expect(signup.json()).toMatchObject({ email: newcomer, is_verified: true });
    expect(await nextTypes(2, 2)).toEqual(['user.updated', 'user.verified']);
    expect(receiver.received.slice(2).find((w) => w.type === 'user.updated')?.data).toMatchObject({
      id: signup.json().id,
      is_verified: true,
      changed: ['is_verified'],
    });
  });
});

describe('webhook delivery', () => {
  it('retries a failed attempt on the schedule, honours Retry-After, and keeps the webhook-id', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    receiver.answer = (_, index) =>
      index === 0 ? { status: 503 } : index === 1 ? { status: 429, headers: { 'retry-after': '600' } } : { status: 200 };
    await t.createUser();
    await receiver.waitFor(1);
    // 5 s after the first failure (the jitter's middle).
    await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.attempts).toBe(1);
    const [first] = await deliveriesOf(endpoint.id);
    expect(first).toMatchObject({ status: 'pending', last_status_code: 503 });
    expect(Date.parse(first?.next_attempt_at ?? '') - clock.now().getTime()).toBe(5_000);

    clock.advance(4);
    await t.webhookWorker?.wake();
    expect(receiver.received).toHaveLength(1);
    clock.advance(1);
    await t.webhookWorker?.wake();
    await receiver.waitFor(2);
    await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.attempts).toBe(2);
    // The schedule says 5 minutes; the receiver asked for 10.
    const [second] = await deliveriesOf(endpoint.id);
    expect(Date.parse(second?.next_attempt_at ?? '') - clock.now().getTime()).toBe(600_000);

    clock.advance(599);
    await t.webhookWorker?.wake();
    expect(receiver.received).toHaveLength(2);
    clock.advance(1);
    await t.webhookWorker?.wake();
    await receiver.waitFor(3);
    await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.status).toBe('delivered');
    const ids = new Set(receiver.received.map((w) => w.id));
    expect(ids).toEqual(new Set([first?.message_id]));
    expect(receiver.received.every((w) => w.verifiedWith.length === 1)).toBe(true);
  });

  it('retries while the receiver is down and delivers once it is back', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    const port = receiver.port;
    await receiver.stop();
    await t.createUser();
    await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.attempts).toBe(1);
    const [failed] = await deliveriesOf(endpoint.id);
    expect(failed?.last_status_code).toBeNull();

    receiver = await startReceiver(port);
    receiver.secrets = [endpoint.secret];
    receiver.now = () => clock.now();
    clock.advance(5);
    await t.webhookWorker?.wake();
    const [delivered] = await receiver.waitFor(1);
    expect(delivered?.id).toBe(failed?.message_id);
    expect(delivered?.verifiedWith).toEqual([endpoint.secret]);
  });

  it('gives up after the last retry, and a manual retry sends it once more', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    receiver.answer = () => ({ status: 500 });
    await t.createUser();
    const schedule = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
    for (const [index, seconds] of schedule.entries()) {
      await receiver.waitFor(index + 1);
      await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.attempts).toBe(index + 1);
      clock.advance(seconds);
      await t.webhookWorker?.wake();
    }
    await receiver.waitFor(8);
    await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.status).toBe('failed');
    const [failed] = await deliveriesOf(endpoint.id);
    expect(failed).toMatchObject({ attempts: 8, next_attempt_at: null, last_status_code: 500 });

    receiver.answer = () => ({ status: 200 });
    const retried = await t.request({
      method: 'POST',
      url: `/api/v1/webhooks/${endpoint.id}/deliveries/${failed?.id}/retry`,
      headers: await t.superuserAuth(),
    });
    expect(retried.json()).toMatchObject({ status: 'pending' });
    await receiver.waitFor(9);
    await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.status).toBe('delivered');
    expect(new Set(receiver.received.map((w) => w.id)).size).toBe(1);
  });

  it('disables an endpoint that answers 410 Gone', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    receiver.answer = () => ({ status: 410 });
    await t.createUser();
    await receiver.waitFor(1);
    const shown = async () =>
      (await t.request({ method: 'GET', url: `/api/v1/webhooks/${endpoint.id}`, headers: await t.superuserAuth() })).json();
    await expect.poll(async () => (await shown()).enabled).toBe(false);
    expect((await shown()).disabled_reason).toBe('gone');
    expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ status: 'failed', last_status_code: 410 });
    // A disabled endpoint is subscribed to nothing.
    await t.createUser();
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
  });

  it('disables an endpoint failing for 5 days and mails the superusers', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    receiver.answer = () => ({ status: 500 });
    // Mail is kept in the dev mailbox (ENVIRONMENT=local without SMTP).
    await t.ctx.outbox.clear();
    await t.createUser();
    await expect.poll(async () => (await deliveriesOf(endpoint.id))[0]?.attempts).toBe(1);
    clock.advance(4 * 86_400);
    await t.createUser();
    // The first event's retry is due by now too, so it may arrive before or after the new one.
    await expect.poll(async () => receiver.received.length).toBeGreaterThanOrEqual(2);
    await expect
      .poll(async () => ((await deliveriesOf(endpoint.id)).find((d) => d.attempts === 1 && d.status === 'pending') ? 1 : 0))
      .toBe(1);
    const stillOn = await t.ctx.webhooks.get(endpoint.id);
    expect(stillOn?.enabled).toBe(true);
    clock.advance(86_400);
    await t.webhookWorker?.wake();
    await expect.poll(async () => (await t.ctx.webhooks.get(endpoint.id))?.disabledReason).toBe('failing');
    const audited = await t.request({
      method: 'GET',
      url: '/api/v1/audit-events?type=webhook.endpoint_disabled',
      headers: await t.superuserAuth(),
    });
    const disabled = audited.json().data.filter((event: { target_id: string }) => event.target_id === endpoint.id);
    expect(disabled).toMatchObject([{ actor_id: null, details: { url: receiver.url, reason: 'failing' } }]);
    const mail = (await t.ctx.outbox.list(0, 10)).rows.filter((m) => m.kind === 'webhook_disabled');
    expect(mail.map((m) => m.toAddress)).toEqual(['admin@example.com']);
    expect(mail[0]?.text).toContain(receiver.url);
  });

  it('signs with both secrets for 24 hours after a rotation', async () => {
    const t = testApp.get();
    const endpoint = await createEndpoint();
    const rotated = await t.request({
      method: 'POST',
      url: `/api/v1/webhooks/${endpoint.id}/rotate-secret`,
      headers: await t.superuserAuth(),
    });
    const newSecret = rotated.json().secret as string;
    expect(newSecret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.json().previous_secret_expires_at) - clock.now().getTime()).toBe(86_400_000);
    receiver.secrets = [endpoint.secret, newSecret];
    await t.createUser();
    const [during] = await receiver.waitFor(1);
    expect(during?.signature.split(' ')).toHaveLength(2);
    expect(during?.verifiedWith).toEqual([endpoint.secret, newSecret]);

    clock.advance(86_400);
    await t.createUser();
    const after = (await receiver.waitFor(2))[1];
    expect(after?.signature.split(' ')).toHaveLength(1);
    expect(after?.verifiedWith).toEqual([newSecret]);
  });

  it('never makes an API request wait for a slow receiver', async () => {
    const t = testApp.get();
    await createEndpoint();
    receiver.answer = () => 'hang';
    const first = await t.request({
      method: 'POST',
      url: '/api/v1/users/signup',
      payload: { email: uniqueEmail('slow'), password: 'slow-password-1' },
    });
    expect(first.statusCode).toBe(200);
    await receiver.waitFor(1);
    // The receiver holds the first delivery: requests, and the events they cause, go on.
    const more = await Promise.all(
      [1, 2, 3].map(() =>
        t.request({
          method: 'POST',
          url: '/api/v1/users/signup',
          payload: { email: uniqueEmail('slow'), password: 'slow-password-1' },
        }),
      ),
    );
    expect(more.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(receiver.received).toHaveLength(1);
    receiver.answer = () => ({ status: 200 });
    receiver.release(200);
    await receiver.waitFor(4);
  });
});
