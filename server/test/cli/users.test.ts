/** `roster users …` against a fresh database, through the real command. */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { run } from '../../src/cli/program.js';
import type { Terminal } from '../../src/cli/terminal.js';
import { testConfig } from '../helpers/app.js';
import { apiLoginStatus, type CliDatabase, countRows, rosterBin, runCli, useCliDatabase } from '../helpers/cli.js';

const cli = useCliDatabase();
let db: CliDatabase;
beforeAll(() => {
  db = cli.get();
});

async function storedUser(email: string) {
  return db.inspect(async (handle) => {
    const { users } = await import('../../src/db/schema.js');
    const { sql } = await import('drizzle-orm');
    const [row] = await handle.db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
    return row ?? null;
  });
}

const hasher = new PasswordHasher(testConfig().argon2);

describe('roster users', () => {
  it('creates a user with the password from stdin, hashed with Argon2id', async () => {
    const result = await db.run(
      ['users', 'create', '--email', ' Ann@Example.com ', '--name', 'Ann Admin', '--superuser', '--verified', '--password-stdin'],
      { input: 'ann-password-1\n' },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Created Ann@Example.com (superuser, verified)');
    const user = await storedUser('ann@example.com');
    expect(user).toMatchObject({
      email: 'Ann@Example.com',
      fullName: 'Ann Admin',
      isSuperuser: true,
      isVerified: true,
      isActive: true,
    });
    expect(user?.hashedPassword).toMatch(/^\$argon2id\$/);
    // The trailing newline of the piped password is not part of it.
    expect((await hasher.verify(user?.hashedPassword ?? '', 'ann-password-1')).ok).toBe(true);
  });

  it('takes --password only with a warning, and --inactive', async () => {
    const result = await db.run(['users', 'create', '--email', 'bob@example.com', '--password', 'bob-password', '--inactive']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^roster: warning: --password leaves the password in your shell history/);
    expect(await storedUser('bob@example.com')).toMatchObject({ isActive: false, isSuperuser: false, isVerified: false });
  });

  it('refuses bad usage with exit code 2 and one line on stderr, writing nothing', async () => {
    const before = await db.inspect((h) => countRows(h, 'SELECT count(*) FROM "user"'));
    const cases: [string[], string, RegExp][] = [
      [['users', 'create', '--email', 'not-an-email', '--password-stdin'], 'long-enough', /not a valid email address/],
      [['users', 'create', '--email', 'short@example.com', '--password-stdin'], 'short', /8 to 128 characters/],
      // As the API refuses it to an admin (REJECT_COMMON_PASSWORDS, on by default).
      [['users', 'create', '--email', 'common@example.com', '--password-stdin'], 'password123', /too common/],
      [['users', 'set-password', 'bob@example.com', '--password-stdin'], 'iloveyou1', /too common/],
      // No terminal and no --password-stdin: nowhere to ask.
      [['users', 'create', '--email', 'quiet@example.com'], '', /--password-stdin/],
      [['users', 'create', '--password-stdin'], 'long-enough', /required option '--email <email>'/],
      [['users', 'list', '--active', '--inactive'], '', /cannot be used with/],
      [['users', 'list', '--limit', 'lots'], '', /expected a whole number/],
      [['users', 'frobnicate'], '', /unknown command 'frobnicate'/],
      [['users', 'delete', 'bob@example.com'], '', /pass --yes/],
    ];
    for (const [args, input, message] of cases) {
      const result = await db.run(args, { input });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await db.inspect((h) => countRows(h, 'SELECT count(*) FROM "user"'))).toBe(before);
  });

  it('fails with exit code 1 on a duplicate email (any case) and on an unknown user', async () => {
    const duplicate = await db.run(['users', 'create', '--email', 'ANN@example.com', '--password-stdin'], {
      input: 'another-password',
    });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toBe('roster: a user with the email ANN@example.com already exists\n');
    const missing = await db.run(['users', 'show', 'nobody@example.com']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('roster: no user "nobody@example.com"\n');
  });

  it('lists users as a table or JSON, with filters', async () => {
    const table = await db.run(['users', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^EMAIL\s+NAME\s+ACTIVE\s+SUPERUSER\s+VERIFIED\s+CREATED\s+ID$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/)[0])).toEqual(['Ann@Example.com', 'bob@example.com']);

    const json = JSON.parse((await db.run(['users', 'list', '--json', '--inactive'])).stdout);
    expect(json.map((u: { email: string }) => u.email)).toEqual(['bob@example.com']);
    expect(json[0]).not.toHaveProperty('hashed_password');
    const supers = JSON.parse((await db.run(['users', 'list', '--json', '--superusers'])).stdout);
    expect(supers.map((u: { email: string }) => u.email)).toEqual(['Ann@Example.com']);
    const search = JSON.parse((await db.run(['users', 'list', '--json', '--search', 'ADMIN'])).stdout);
    expect(search.map((u: { email: string }) => u.email)).toEqual(['Ann@Example.com']);

    const limited = await db.run(['users', 'list', '--limit', '1']);
    expect(limited.stdout.trim().split('\n')).toHaveLength(2);
    expect(limited.stderr).toContain('Showing 1 of 2 users');
  });

  it('shows one user by email in any case, or by id', async () => {
    const byEmail = await db.run(['users', 'show', 'ann@EXAMPLE.com', '--json']);
    expect(byEmail.code).toBe(0);
    const shown = JSON.parse(byEmail.stdout);
    expect(shown).toMatchObject({ email: 'Ann@Example.com', full_name: 'Ann Admin', is_superuser: true, items: 0 });
    const byId = await db.run(['users', 'show', shown.id]);
    expect(byId.stdout).toMatch(/^email:\s+Ann@Example.com$/m);
    expect(byId.stdout).toMatch(/^superuser:\s+yes$/m);
  });

  it('changes flags, and says so when there is nothing to change', async () => {
    const steps: [string, string, Record<string, boolean>][] = [
      ['promote', 'bob@example.com is now a superuser.', { isSuperuser: true }],
      ['promote', 'bob@example.com is already a superuser.', { isSuperuser: true }],
      ['demote', 'bob@example.com is no longer a superuser.', { isSuperuser: false }],
      ['activate', 'bob@example.com is active again.', { isActive: true }],
      ['deactivate', 'bob@example.com is deactivated: they cannot sign in.', { isActive: false }],
      ['verify', 'bob@example.com is now verified.', { isVerified: true }],
      ['activate', 'bob@example.com is active again.', { isActive: true }],
    ];
    let expected: Record<string, boolean> = {};
    for (const [command, said, stored] of steps) {
      const result = await db.run(['users', command, 'BOB@example.com']);
      expect(result.code, command).toBe(0);
      expect(result.stdout.trim(), command).toBe(said);
      expected = { ...expected, ...stored };
    }
    // Opening the database in between would cost as much as the commands: check the end state once.
    expect(await storedUser('bob@example.com')).toMatchObject(expected);
    expect(expected).toEqual({ isSuperuser: false, isActive: true, isVerified: true });
  });

  it('sets a password, ending the sessions the old one opened', async () => {
    // Signing in through the API opens a session; the new password must end it.
    expect(await db.inspect((h) => apiLoginStatus(h, 'bob@example.com', 'bob-password'))).toBe(200);
    const openSessions = () =>
      db.inspect((h) =>
        countRows(
          h,
          `SELECT count(*) FROM session s JOIN "user" u ON u.id = s.user_id WHERE u.email = 'bob@example.com' AND s.revoked_at IS NULL`,
        ),
      );
    expect(await openSessions()).toBe(1);
    const result = await db.run(['users', 'set-password', 'bob@example.com', '--password-stdin'], {
      input: 'a-new-bob-password',
    });
    expect(result.code).toBe(0);
    const user = await storedUser('bob@example.com');
    expect((await hasher.verify(user?.hashedPassword ?? '', 'a-new-bob-password')).ok).toBe(true);
    expect((await hasher.verify(user?.hashedPassword ?? '', 'bob-password')).ok).toBe(false);
    expect(await openSessions()).toBe(0);
    const audited = await db.inspect((h) =>
      countRows(h, `SELECT count(*) FROM audit_event WHERE type = 'admin.user_updated' AND details->>'via' = 'cli'`),
    );
    // The six flag changes above and this password change.
    expect(audited).toBe(7);
  });

  it('reset-mfa removes every factor, ends the sessions and tells the owner, as the API’s admin reset', async () => {
    // Bob turns TOTP on and signs in with it, through the app's own services.
    const secret = await db.inspect(async (h) => {
      const { buildApp } = await import('../../src/app.js');
      const { totpCodeAt } = await import('../../src/mfa/totp.js');
      const { app, ctx } = await buildApp({ config: testConfig(), database: h, emailWorker: false });
      try {
        const bob = await ctx.users.getByEmail('bob@example.com');
        if (!bob) throw new Error('no bob');
        const enrolment = await ctx.mfa.startTotp(bob);
        const origin = { actorId: bob.id, ip: null, userAgent: null };
        await ctx.mfa.confirmTotp(bob, totpCodeAt(enrolment?.secret ?? '', Date.now()), origin);
        return enrolment?.secret;
      } finally {
        await app.close();
      }
    });
    expect(secret).toBeDefined();
    expect(await db.inspect((h) => apiLoginStatus(h, 'bob@example.com', 'a-new-bob-password'))).toBe(403);
    await db.inspect((h) =>
      h.db.execute(
        sql`UPDATE session SET revoked_at = NULL WHERE user_id = (SELECT id FROM "user" WHERE email = 'bob@example.com')`,
      ),
    );

    // ENVIRONMENT=local: mail goes to the dev mailbox (the outbox, kept), where the test can read it.
    const result = await runCli(['users', 'reset-mfa', 'BOB@example.com', '--yes'], { ...db.env, ENVIRONMENT: 'local' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(
      /^Reset multi-factor authentication of bob@example\.com: every factor and remembered device removed, \d+ sessions? ended\.$/,
    );
    const after = await db.inspect(async (h) => ({
      totp: await countRows(h, 'SELECT count(*) FROM mfa_totp'),
      codes: await countRows(h, 'SELECT count(*) FROM mfa_recovery_code'),
      open: await countRows(
        h,
        `SELECT count(*) FROM session s JOIN "user" u ON u.id = s.user_id WHERE u.email = 'bob@example.com' AND s.revoked_at IS NULL`,
      ),
      enabled: await countRows(h, `SELECT count(*) FROM "user" WHERE email = 'bob@example.com' AND mfa_enabled`),
      audited: await countRows(
        h,
        `SELECT count(*) FROM audit_event WHERE type = 'mfa.reset_by_admin' AND details->>'via' = 'cli'`,
      ),
      mailed: await countRows(
        h,
        `SELECT count(*) FROM email_outbox WHERE kind = 'mfa_reset_by_admin' AND to_address = 'bob@example.com'`,
      ),
    }));
    expect(after).toEqual({ totp: 0, codes: 0, open: 0, enabled: 0, audited: 1, mailed: 1 });
    expect(await db.inspect((h) => apiLoginStatus(h, 'bob@example.com', 'a-new-bob-password'))).toBe(200);
    expect((await db.run(['users', 'reset-mfa', 'nobody@example.com', '--yes'])).code).toBe(1);
  });

  it('deletes a user with --yes', async () => {
    const result = await db.run(['users', 'delete', 'bob@example.com', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('Deleted bob@example.com.');
    expect(await storedUser('bob@example.com')).toBeNull();
    expect((await db.run(['users', 'delete', 'bob@example.com', '--yes'])).code).toBe(1);
  });
});

describe('roster --help', () => {
  const commands = [
    [],
    ['users'],
    ...[
      'create',
      'list',
      'show',
      'set-password',
      'promote',
      'demote',
      'activate',
      'deactivate',
      'verify',
      'reset-mfa',
      'delete',
    ].map((c) => ['users', c]),
    ['seed'],
    ['export'],
    ['import'],
  ];

  it('takes a common password when REJECT_COMMON_PASSWORDS=false', async () => {
    const result = await runCli(
      ['users', 'create', '--email', 'lax@example.com', '--password-stdin'],
      {
        ...db.env,
        REJECT_COMMON_PASSWORDS: 'false',
      },
      { input: 'password123' },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  /** A command's --help, in this process, through the same program the binary runs (one process per command would cost seconds each). */
  async function helpOf(command: string[]): Promise<string> {
    const out: string[] = [];
    const terminal = {
      env: {},
      stdin: process.stdin,
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => out.push(text) },
    } as unknown as Terminal;
    expect(await run(['node', 'roster', ...command, '--help'], terminal), command.join(' ')).toBe(0);
    return out.join('');
  }

  it('answers --help on every command (exit 0, usage on stdout)', async () => {
    for (const command of commands) {
      const name = ['roster', ...command].join(' ');
      expect(await helpOf(command), name).toContain(`Usage: ${name}`);
    }
  });

  it('export and import say what they do not carry and what an imported user sets up again', async () => {
    for (const command of ['export', 'import']) {
      const help = (await helpOf([command])).replace(/\s+/g, ' ');
      expect(help, command).toContain('Not exported or imported: second factors');
      expect(help, command).toContain('passkeys, linked sign-in providers');
      expect(help, command).toContain('An imported user sets up their authenticator app and passkeys again');
    }
  });

  it('the installed binary answers --help without touching a database', async () => {
    // A DATABASE_URL nothing listens on: help must not need it.
    const result = await runCli(
      ['import', '--help'],
      { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      { entry: rosterBin },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: roster import [options] [file]');
    expect(result.stdout).toContain('--from-template <postgres_url>');
  });
});
