/** `roster webhooks …`, and the events of the CLI's own user changes, through the real command. */
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliDatabase, queryRows, useCliDatabase } from '../helpers/cli.js';

const cli = useCliDatabase();
let db: CliDatabase;
beforeAll(() => {
  db = cli.get();
});

const endpoints = () =>
  db.inspect((handle) => queryRows(handle, 'SELECT id, url, event_types, secret, previous_secret FROM webhook_endpoint'));

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
    expect(stored).toMatchObject({ url: 'http://127.0.0.1:9/hooks', event_types: ['user.created', 'user.deactivated'], secret });

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
    expect(after).toMatchObject({ secret: newSecret, previous_secret: secret });

    const removed = await db.run(['webhooks', 'remove', String(stored?.id), '--yes']);
    expect(removed.code).toBe(0);
    expect(await endpoints()).toHaveLength(0);
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
