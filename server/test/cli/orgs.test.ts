/** `roster orgs …` against a fresh database, through the real command. */
import { beforeAll, describe, expect, it } from 'vitest';
import { OneTimeTokens } from '../../src/auth/one-time-tokens.js';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { UsersService } from '../../src/users/service.js';
import { systemClock } from '../../src/utils/clock.js';
import { testConfig } from '../helpers/app.js';
import { type CliDatabase, queryRows, useCliDatabase } from '../helpers/cli.js';

const cli = useCliDatabase();
let db: CliDatabase;
beforeAll(() => {
  db = cli.get();
});

async function memberships() {
  return db.inspect((handle) =>
    queryRows(
      handle,
      'SELECT o.slug, u.email, m.role FROM org_member m JOIN organization o ON o.id = m.org_id JOIN "user" u ON u.id = m.user_id ORDER BY u.email',
    ),
  );
}

describe('roster orgs', () => {
  it('creates an organization with an owner, adds members, and lists it', async () => {
    // The users are made in this process: each command run costs seconds on a busy machine.
    await db.inspect(async (handle) => {
      const users = new UsersService(handle.db, new PasswordHasher(testConfig().argon2), new OneTimeTokens(systemClock, 1));
      for (const email of ['owner@example.com', 'colleague@example.com'])
        await users.create({ email, password: 'a-long-password-1' });
    });
    const create = await db.run(['orgs', 'create', '--name', 'Acme Corp', '--slug', 'acme', '--owner', 'OWNER@example.com']);
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/^Created Acme Corp \(acme, id [0-9a-f-]{36}\) with owner@example.com as its owner\.$/m);

    const add = await db.run(['orgs', 'add-member', 'acme', 'colleague@example.com', '--role', 'admin']);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('Added colleague@example.com to acme as admin.');
    expect(await memberships()).toEqual([
      { slug: 'acme', email: 'colleague@example.com', role: 'admin' },
      { slug: 'acme', email: 'owner@example.com', role: 'owner' },
    ]);

    const again = await db.run(['orgs', 'add-member', 'acme', 'colleague@example.com']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/colleague@example.com is already a member of acme \(admin\)/);

    const list = await db.run(['orgs', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'Acme Corp', slug: 'acme' })]);
  });

  it('refuses a taken slug (exit 1), a bad slug or role (exit 2), and an unknown organization', async () => {
    const cases: [string[], number, RegExp][] = [
      [['orgs', 'create', '--name', 'Again', '--slug', 'acme', '--owner', 'owner@example.com'], 1, /already exists/],
      [['orgs', 'create', '--name', 'Bad', '--slug', 'Not A Slug', '--owner', 'owner@example.com'], 2, /is not a slug/],
      [['orgs', 'add-member', 'acme', 'owner@example.com', '--role', 'boss'], 2, /--role must be one of owner, admin, member/],
      [['orgs', 'add-member', 'nowhere', 'owner@example.com'], 1, /no organization "nowhere"/],
    ];
    for (const [args, code, message] of cases) {
      const result = await db.run(args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr).toMatch(message);
    }
  });

  it('users delete refuses the only owner of an organization (exit 1) and deletes them once there is another', async () => {
    const refused = await db.run(['users', 'delete', 'owner@example.com', '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'roster: owner@example.com is the only owner of Acme Corp: make another member an owner, or delete it, first\n',
    );
    expect(await memberships()).toContainEqual({ slug: 'acme', email: 'owner@example.com', role: 'owner' });

    await db.inspect(async (handle) => {
      const users = new UsersService(handle.db, new PasswordHasher(testConfig().argon2), new OneTimeTokens(systemClock, 1));
      await users.create({ email: 'second-owner@example.com', password: 'a-long-password-1' });
    });
    expect((await db.run(['orgs', 'add-member', 'acme', 'second-owner@example.com', '--role', 'owner'])).code).toBe(0);
    const deleted = await db.run(['users', 'delete', 'owner@example.com', '--yes']);
    expect(deleted.code).toBe(0);
    expect(await memberships()).toEqual([
      { slug: 'acme', email: 'colleague@example.com', role: 'admin' },
      { slug: 'acme', email: 'second-owner@example.com', role: 'owner' },
    ]);
  });
});
