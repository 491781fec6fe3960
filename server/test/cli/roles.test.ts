/** `roster roles …` against a fresh database, through the real command. */
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliDatabase, useCliDatabase } from '../helpers/cli.js';

const cli = useCliDatabase();
let db: CliDatabase;
beforeAll(() => {
  db = cli.get();
});

describe('roster roles', () => {
  it('lists roles, grants and revokes them, and keeps the last superuser', async () => {
    for (const [email, flags] of [
      ['root@example.com', ['--superuser']],
      ['bob@example.com', []],
    ] as const) {
      const created = await db.run(['users', 'create', '--email', email, ...flags, '--password-stdin'], {
        input: 'a-long-password\n',
      });
      expect(created.code, created.stderr).toBe(0);
    }
    const steps: [string[], number, string][] = [
      [['roles', 'grant', 'BOB@example.com', 'support'], 0, 'bob@example.com now holds support.'],
      [['roles', 'grant', 'bob@example.com', 'support'], 0, 'bob@example.com already holds support.'],
      [['roles', 'grant', 'bob@example.com', 'user_admin'], 0, 'bob@example.com now holds user_admin.'],
      [['roles', 'revoke', 'bob@example.com', 'support'], 0, 'bob@example.com no longer holds support.'],
      [['roles', 'revoke', 'bob@example.com', 'support'], 0, 'bob@example.com does not hold support.'],
      [['roles', 'grant', 'bob@example.com', 'wizard'], 1, 'roster: Unknown role: wizard'],
      [['roles', 'revoke', 'root@example.com', 'superuser'], 1, 'roster: The last superuser cannot lose the role'],
      [['users', 'demote', 'root@example.com'], 1, 'roster: The last superuser cannot lose the role'],
    ];
    for (const [args, code, said] of steps) {
      const result = await db.run(args);
      expect(result.code, args.join(' ')).toBe(code);
      expect((code === 0 ? result.stdout : result.stderr).trim(), args.join(' ')).toBe(said);
    }

    const listed = JSON.parse((await db.run(['roles', 'list', '--json'])).stdout);
    expect(listed.map((role: { name: string; holders: number }) => [role.name, role.holders])).toEqual([
      ['superuser', 1],
      ['user_admin', 1],
      ['support', 0],
    ]);
    const table = (await db.run(['roles', 'list'])).stdout;
    expect(table).toMatch(/^ROLE\s+BUILT-IN\s+HOLDERS\s+PERMISSIONS$/m);
    expect(table).toMatch(/^support\s+yes\s+0\s+users:read audit:read$/m);
  });
});
