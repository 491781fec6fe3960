/**
 * The `roster` command line: commands, options and help (commander), and the
 * mapping of every outcome to an exit code: 0 done, 1 the operation failed,
 * 2 the command line was wrong. Errors are one line on stderr, never a stack.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DataFolderInUseError } from '../db/data-folder-lock.js';
import { describeError } from './errors.js';
import type { Terminal } from './terminal.js';
import type { FLAG_CHANGES } from './users.js';

// Each command's module (and with it the database, argon2, the services) loads only when
// the command runs: `roster --help` and a mistyped command answer at once.
const usersCommands = () => import('./users.js');
const rolesCommands = () => import('./roles.js');

const DATABASE_HELP = `
The database is the service's: DATABASE_URL (PostgreSQL) when set, else the embedded
database under DATA_DIR (./data); from the environment, then the repository's .env.
Stop a Roster server that uses the embedded database before running commands on it.`;

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError('expected a whole number ≥ 1');
  return value;
}

const passwordOptions = (command: Command) =>
  command
    .addOption(new Option('--password-stdin', 'read the password from standard input').conflicts('password'))
    .addOption(new Option('--password <password>', 'give the password as an argument (visible to other users: avoid)'));

/**
 * What a user's export leaves behind. Second factors, passkeys and provider links are
 * left out on purpose: their secrets are sealed with SECRET_KEY, and carrying them to
 * another service is a security decision, not a file format.
 */
const NOT_EXPORTED_HELP = `Not exported or imported: second factors (authenticator apps, recovery codes,
remembered devices), passkeys, linked sign-in providers, roles other than
is_superuser, organization memberships and sessions. An imported user sets up
their authenticator app and passkeys again (under MFA_REQUIRED they are asked
at their first sign-in), links their providers again (a provider sign-in
links itself when both sides verified the email), and is given roles and
memberships again.`;

export function buildProgram(terminal: Terminal): Command {
  const program = new Command('roster')
    .description(
      'Manage Roster users and organizations from the terminal: create and fix accounts, seed, import and export; roles and webhooks.',
    )
    .addHelpText('after', DATABASE_HELP)
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => terminal.stdout.write(text),
      writeErr: (text) => terminal.stderr.write(text),
      outputError: (text, write) => write(`roster: ${text.replace(/^error: /, '')}`),
    });

  const users = program.command('users').description('create, list, show and change user accounts');

  passwordOptions(
    users
      .command('create')
      .description('create a user; the password is asked for on the terminal (twice, not shown)')
      .requiredOption('--email <email>', 'the email address, used to sign in')
      .option('--name <name>', 'full name')
      .option('--superuser', 'make the user a superuser (an admin)')
      .option('--verified', 'mark the email address as verified')
      .option('--inactive', 'create the account deactivated: it cannot sign in'),
  ).action(async (options) => (await usersCommands()).createUser(terminal, options));

  users
    .command('list')
    .description('list users, by email')
    .option('--search <text>', 'only users whose email or name contains the text (any case)')
    .addOption(new Option('--active', 'only active users').conflicts('inactive'))
    .addOption(new Option('--inactive', 'only deactivated users'))
    .option('--superusers', 'only superusers')
    .option('--limit <n>', 'show at most n users', positiveInteger, 100)
    .option('--json', 'print JSON instead of a table')
    .action(async (options) => (await usersCommands()).listUsers(terminal, options));

  users
    .command('duplicates')
    .description('list accounts that share an email address (kept by the upgrade to one normal form for emails)')
    .option('--json', 'print JSON')
    .action(async (options) => (await usersCommands()).listDuplicates(terminal, options));

  users
    .command('show')
    .description("show one user's details")
    .argument('<user>', 'email or id')
    .option('--json', 'print JSON')
    .action(async (ref, options) => (await usersCommands()).showUser(terminal, ref, options));

  passwordOptions(
    users
      .command('set-password')
      .description("set a user's password; asked for on the terminal (twice, not shown)")
      .argument('<user>', 'email or id'),
  ).action(async (ref, options) => (await usersCommands()).setPassword(terminal, ref, options));

  const flagHelp: Record<keyof typeof FLAG_CHANGES, string> = {
    promote: 'make a user a superuser',
    demote: 'take superuser rights away from a user',
    activate: 'let a deactivated user sign in again',
    deactivate: 'stop a user from signing in (their data stays)',
    verify: "mark a user's email address as verified",
  };
  for (const [name, description] of Object.entries(flagHelp)) {
    users
      .command(name)
      .description(description)
      .argument('<user>', 'email or id')
      .action(async (ref) => {
        const { changeFlag, FLAG_CHANGES } = await usersCommands();
        return changeFlag(terminal, ref, FLAG_CHANGES[name as keyof typeof FLAG_CHANGES]);
      });
  }

  users
    .command('reset-mfa')
    .description(
      'remove every second factor of a user (TOTP, recovery codes, remembered devices), end their sessions and email them',
    )
    .argument('<user>', 'email or id')
    .option('-y, --yes', 'do not ask for confirmation (needed when not on a terminal)')
    .action(async (ref, options) => (await usersCommands()).resetMfa(terminal, ref, options));

  users
    .command('delete')
    .description('delete a user and their items; asks first on a terminal')
    .argument('<user>', 'email or id')
    .option('-y, --yes', 'do not ask for confirmation (needed when not on a terminal)')
    .action(async (ref, options) => (await usersCommands()).deleteUser(terminal, ref, options));

  const roles = program.command('roles').description('list roles; grant or revoke a role (see docs/roles.md)');
  roles
    .command('list')
    .description('list every role with its permissions and how many users hold it')
    .option('--json', 'print JSON')
    .action(async (options) => (await rolesCommands()).listRoles(terminal, options));
  for (const action of ['grant', 'revoke'] as const) {
    roles
      .command(action)
      .description(
        action === 'grant' ? 'give a user a role (superuser, user_admin, support or a custom one)' : 'take a role from a user',
      )
      .argument('<user>', 'email or id')
      .argument('<role>', 'role name')
      .action(async (ref, role) => (await rolesCommands()).changeRole(terminal, action, ref, role));
  }
  const webhooks = program.command('webhooks').description('list, add, remove and rotate webhook endpoints');
  const webhookCommands = () => import('./webhooks.js');
  webhooks
    .command('list')
    .description('list webhook endpoints')
    .option('--json', 'print JSON')
    .action(async (options) => (await webhookCommands()).listWebhooks(terminal, options));
  webhooks
    .command('add')
    .description('add an endpoint and print its signing secret (shown only once)')
    .argument('<url>', 'where events are POSTed (https outside development)')
    .option('--events <types>', 'comma-separated event types, e.g. user.created,user.deleted (default: all)')
    .option('--description <text>', 'what the endpoint is for')
    .action(async (url, options) => (await webhookCommands()).addWebhook(terminal, url, options));
  webhooks
    .command('remove')
    .description('remove an endpoint and its deliveries; asks first on a terminal')
    .argument('<id>', 'the endpoint id (see webhooks list)')
    .option('-y, --yes', 'do not ask for confirmation (needed when not on a terminal)')
    .action(async (id, options) => (await webhookCommands()).removeWebhook(terminal, id, options));
  webhooks
    .command('rotate')
    .description('issue a new signing secret; the old one also signs for 24 hours')
    .argument('<id>', 'the endpoint id (see webhooks list)')
    .action(async (id) => (await webhookCommands()).rotateWebhookSecret(terminal, id));

  program
    .command('seed')
    .description('add the users (and their items) of a JSON or YAML file, in one transaction; see examples/seed.yaml')
    .argument('<file>', 'a .json, .yaml or .yml file')
    .option('--update', 'also bring users that exist in line with the file (name, flags, password, items)')
    .action(async (file, options) => (await import('./seed.js')).seedCommand(terminal, file, options));

  program
    .command('export')
    .description('write every user as JSON Lines or CSV, in the form import reads')
    .addOption(
      new Option('--format <format>', 'jsonl or csv (default: from the -o file name, else jsonl)').choices(['jsonl', 'csv']),
    )
    .option('--with-hashes', 'include password hashes (treat the file as a secret)')
    .option('--items', "include each user's items")
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .addHelpText('after', `\n${NOT_EXPORTED_HELP}`)
    .action(async (options) => (await import('./export.js')).exportCommand(terminal, options));

  program
    .command('import')
    .description('add users from a JSON Lines or CSV file, or from a FastAPI template database')
    .argument('[file]', 'a .jsonl or .csv file, as written by export')
    .addOption(new Option('--format <format>', 'jsonl or csv (default: from the file name)').choices(['jsonl', 'csv']))
    .option('--dry-run', 'check and count everything, then write nothing')
    .option('--skip-invalid', 'import the valid lines and list the bad ones (default: any bad line stops the import)')
    .option('--from-template <postgres_url>', "read the users and items of a full-stack FastAPI template's database")
    .addHelpText(
      'after',
      `
Fields (JSON keys or CSV header): email (required), password or hashed_password,
full_name, is_active, is_superuser, is_verified, id, created_at, items.
Argon2 and bcrypt hashes are kept as they are; plain passwords are hashed.
Users whose email (or id) exists are skipped and reported. The import is one
transaction: if it stops, nothing of it is written.

${NOT_EXPORTED_HELP}`,
    )
    .action(async (file, options) => (await import('./import/command.js')).importCommand(terminal, file, options));

  const orgs = program.command('orgs').description('list and create organizations, and add members');
  orgs
    .command('list')
    .description('list organizations, by name')
    .option('--search <text>', 'only organizations whose name or slug contains the text (any case)')
    .option('--limit <n>', 'show at most n organizations', positiveInteger, 100)
    .option('--json', 'print JSON instead of a table')
    .action(async (options) => (await import('./orgs.js')).listOrgs(terminal, options));
  orgs
    .command('create')
    .description('create an organization with an owner')
    .requiredOption('--name <name>', 'its name')
    .requiredOption('--slug <slug>', 'its unique short name: lower-case letters, digits and inner hyphens')
    .requiredOption('--owner <user>', 'the first owner: an email or user id')
    .action(async (options) => (await import('./orgs.js')).createOrg(terminal, options));
  orgs
    .command('add-member')
    .description('add a user to an organization')
    .argument('<org>', 'slug or id')
    .argument('<user>', 'email or id')
    .option('--role <role>', 'owner, admin or member', 'member')
    .action(async (org, user, options) => (await import('./orgs.js')).addMember(terminal, org, user, options));

  for (const command of [program, ...allCommands(program)]) command.exitOverride();
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

/** Runs the command line; resolves to the exit code. */
export async function run(argv: string[], terminal: Terminal): Promise<number> {
  const program = buildProgram(terminal);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // The data-folder refusal is the same line the server prints, word for word.
    terminal.stderr.write(error instanceof DataFolderInUseError ? `${error.message}\n` : `roster: ${describeError(error)}\n`);
    return (error as { exitCode?: number }).exitCode === 2 ? 2 : 1;
  }
}
