/** `roster webhooks …`, and the events of the CLI's own user changes, through the real command. */
import { beforeAll, describe, expect, it } from 'vitest';
import { localDefaults } from '../../src/config.js';
import { WebhookSecretBox } from '../../src/webhooks/sealed-secrets.js';
import { type CliDatabase, queryRows, runCli, useCliDatabase } from '../helpers/cli.js';

const cli = useCliDatabase();
let db: CliDatabase;
beforeAll(() => {
  db = cli.get();
});

const endpoints = () =>
  db.inspect((handle) =>
    queryRows<{ id: string; url: string; event_types: string[]; secret: string; previous_secret: string | null }>(
      handle,
      'SELECT id, url, event_types, secret, previous_secret FROM webhook_endpoint',
    ),
  );
const webhookAudit = () =>
  db.inspect((handle) =>
    queryRows<{ type: string; actor_id: string | null; target_id: string; details: Record<string, unknown> }>(
      handle,
      "SELECT type, actor_id, target_id, details FROM audit_event WHERE type LIKE 'webhook.%' ORDER BY at, type",
    ),
  );
/** With no SECRET_KEY and no ENVIRONMENT, the CLI seals with the development key `npm start` runs with. */
const developmentBox = new WebhookSecretBox(localDefaults('8000').SECRET_KEY as string);

describe('roster webhooks', () => {
  it('adds, lists, rotates and removes an endpoint; user changes made with the CLI are events', async () => {
    const added = await db.run([
      'webhooks',
      'add',
      'http://127.0.0.1:9/hooks',
      '--events',
      'user.created,user.deactivated',
      '--description',
      'CRM',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const secret = added.stdout.match(/Signing secret \(shown only now\): (whsec_\S+)/)?.[1];
    const [stored] = await endpoints();
    expect(stored).toMatchObject({ url: 'http://127.0.0.1:9/hooks', event_types: ['user.created', 'user.deactivated'] });
    // Sealed, as the service would open it.
    expect(stored?.secret).not.toContain('whsec_');
    expect(developmentBox.open(String(stored?.secret), String(stored?.id))).toBe(secret);

    const listed = await db.run(['webhooks', 'list']);
    expect(listed.stdout).toContain(String(stored?.id));
    expect(listed.stdout).toContain('user.created,user.deactivated');
    expect(listed.stdout).not.toContain('whsec_');

    await db.run(['users', 'create', '--email', 'cli-events@example.com', '--password-stdin'], { input: 'cli-events-pass-1\n' });
    await db.run(['users', 'deactivate', 'cli-events@example.com']);
    await db.run(['users', 'promote', 'cli-events@example.com']);
    const events = await db.inspect((handle) =>
      queryRows(handle, 'SELECT event_type, payload FROM webhook_delivery ORDER BY seq'),
    );
    expect(events.map((e) => e.event_type)).toEqual(['user.created', 'user.deactivated']);
    expect(JSON.parse(String(events[1]?.payload)).data).toMatchObject({ email: 'cli-events@example.com', is_active: false });

    const rotated = await db.run(['webhooks', 'rotate', String(stored?.id)]);
    expect(rotated.code).toBe(0);
    const newSecret = rotated.stdout.match(/\(shown only now\): (whsec_\S+)/)?.[1];
    const [after] = await endpoints();
    expect(developmentBox.open(String(after?.secret), String(stored?.id))).toBe(newSecret);
    expect(developmentBox.open(String(after?.previous_secret), String(stored?.id))).toBe(secret);

    const removed = await db.run(['webhooks', 'remove', String(stored?.id), '--yes']);
    expect(removed.code).toBe(0);
    expect(await endpoints()).toHaveLength(0);

    // Audited with no actor, via the CLI, with the endpoint and its URL, never a secret.
    const audited = await webhookAudit();
    expect(audited.map((event) => event.type)).toEqual([
      'webhook.endpoint_created',
      'webhook.secret_rotated',
      'webhook.endpoint_deleted',
    ]);
    for (const event of audited) {
      expect(event).toMatchObject({
        actor_id: null,
        target_id: stored?.id,
        details: { url: 'http://127.0.0.1:9/hooks', via: 'cli' },
      });
    }
    expect(JSON.stringify(audited)).not.toContain('whsec_');
  });

  it('seals only with a SECRET_KEY that is set and opens the secrets already stored', async () => {
    const first = await db.run(['webhooks', 'add', 'http://127.0.0.1:9/first']);
    expect(first.code).toBe(0);
    const unset = await runCli(['webhooks', 'add', 'http://127.0.0.1:9/second'], { ...db.env, ENVIRONMENT: 'production' });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('SECRET_KEY is not set');
    const other = await runCli(['webhooks', 'add', 'http://127.0.0.1:9/second'], {
      ...db.env,
      SECRET_KEY: 'not-the-key-the-service-runs-with-at-all',
    });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('this SECRET_KEY opens none of the stored signing secrets');
    expect((await endpoints()).map((endpoint) => endpoint.url)).toEqual(['http://127.0.0.1:9/first']);
  });

  it('refuses an unknown event type and an unknown endpoint', async () => {
    const badType = await db.run(['webhooks', 'add', 'http://127.0.0.1:9/', '--events', 'user.exploded']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain('unknown event type user.exploded');
    const missing = await db.run(['webhooks', 'rotate', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no webhook endpoint');
  });
});
