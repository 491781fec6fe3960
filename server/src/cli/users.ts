/**
 * `roster users …`: the account fixes an operator makes from a terminal. They go
 * through UsersService, so the CLI keeps the API's rules: case-insensitive
 * emails, Argon2id hashes, a user's items deleted with them.
 */

import type { UserRow } from '../db/schema.js';
import { isValidEmail } from '../http/validation.js';
import { ItemsService } from '../items/service.js';
import { OrgMessages } from '../orgs/errors.js';
import { SoleOwnerError } from '../orgs/owner-rule.js';
import { toUserPublic } from '../users/public.js';
import { EmailTakenError, type UserChanges } from '../users/service.js';
import { type CliContext, withContext } from './context.js';
import { count } from './counts.js';
import { OperationError, UsageError } from './errors.js';
import { type PasswordOptions, readNewPassword } from './password-input.js';
import { formatTable } from './table.js';
import { confirm, note, say, type Terminal } from './terminal.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user named by email (any letter case) or id. */
export async function findUser(ctx: CliContext, ref: string): Promise<UserRow> {
  const text = ref.trim();
  const user = UUID.test(text) ? await ctx.users.getById(text) : await ctx.users.getByEmail(text);
  if (!user) throw new OperationError(`no user ${JSON.stringify(text)}`);
  return user;
}

export interface CreateOptions extends PasswordOptions {
  email: string;
  name?: string;
  superuser?: boolean;
  verified?: boolean;
  inactive?: boolean;
}

export async function createUser(terminal: Terminal, options: CreateOptions): Promise<void> {
  const email = options.email.trim();
  if (!isValidEmail(email) || email.length > 255)
    throw new UsageError(`${JSON.stringify(options.email)} is not a valid email address`);
  if (options.name !== undefined && [...options.name].length > 255)
    throw new UsageError('the name is longer than 255 characters');
  const password = await readNewPassword(terminal, options);
  await withContext(terminal, async (ctx) => {
    try {
      const user = await ctx.users.create(
        {
          email,
          password,
          fullName: options.name ?? null,
          isSuperuser: options.superuser ?? false,
          isVerified: options.verified ?? false,
          isActive: !options.inactive,
        },
        ctx.changes.created(),
      );
      say(terminal, `Created ${describe(user)} (id ${user.id}).`);
    } catch (error) {
      if (error instanceof EmailTakenError) throw new OperationError(`a user with the email ${email} already exists`);
      throw error;
    }
  });
}

export interface ListOptions {
  search?: string;
  active?: boolean;
  inactive?: boolean;
  superusers?: boolean;
  limit: number;
  json?: boolean;
}

export async function listUsers(terminal: Terminal, options: ListOptions): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const { rows, count } = await ctx.users.list({
      skip: 0,
      limit: options.limit,
      q: options.search,
      isActive: options.active ? true : options.inactive ? false : undefined,
      isSuperuser: options.superusers ? true : undefined,
      orderBy: 'email',
    });
    if (options.json) say(terminal, JSON.stringify(rows.map(toUserPublic), null, 2));
    else say(terminal, table(rows));
    if (count > rows.length) note(terminal, `Showing ${rows.length} of ${count} users; --limit shows more.`);
  });
}

function table(rows: UserRow[]): string {
  const header = ['EMAIL', 'NAME', 'ACTIVE', 'SUPERUSER', 'VERIFIED', 'CREATED', 'ID'];
  const lines = rows.map((user) => [
    user.email,
    user.fullName ?? '',
    yesNo(user.isActive),
    yesNo(user.isSuperuser),
    yesNo(user.isVerified),
    user.createdAt.toISOString().slice(0, 19).replace('T', ' '),
    user.id,
  ]);
  return formatTable(header, lines);
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/**
 * Accounts whose addresses have one normal form, which only the upgrade to it
 * (migration 0008) can leave behind. Only the first of each group is found by its
 * address; the operator gives the others another one, or deletes them.
 */
export async function listDuplicates(terminal: Terminal, options: { json?: boolean }): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const groups = await ctx.users.emailDuplicates();
    if (options.json) {
      const shown = groups.map((group) => ({
        normalized_email: group.normalized,
        users: group.accounts.map((user) => ({ ...toUserPublic(user), holds_address: user.emailDuplicateRank === 0 })),
      }));
      say(terminal, JSON.stringify(shown, null, 2));
      return;
    }
    if (groups.length === 0) {
      say(terminal, 'No accounts share an email address.');
      return;
    }
    for (const group of groups) {
      say(terminal, `${group.normalized} (${group.accounts.length} accounts):`);
      for (const user of group.accounts) {
        const holder = user.emailDuplicateRank === 0 ? '  (signs in with this address)' : '';
        say(terminal, `  ${user.email}  id ${user.id}  created ${user.createdAt.toISOString()}${holder}`);
      }
    }
    note(
      terminal,
      'Only the account that signs in with an address can be found by it. Give the others another address ' +
        '(PATCH /api/v1/users/{id} as a superuser) or delete them (roster users delete <id>).',
    );
  });
}

export async function showUser(terminal: Terminal, ref: string, options: { json?: boolean }): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const user = await findUser(ctx, ref);
    const items = await itemCount(ctx, user);
    if (options.json) {
      say(terminal, JSON.stringify({ ...toUserPublic(user), items }, null, 2));
      return;
    }
    const fields: [string, string][] = [
      ['email', user.email],
      ['name', user.fullName ?? '—'],
      ['id', user.id],
      ['active', yesNo(user.isActive)],
      ['superuser', yesNo(user.isSuperuser)],
      ['verified', yesNo(user.isVerified)],
      ['created', user.createdAt.toISOString()],
      ['items', String(items)],
    ];
    say(terminal, fields.map(([key, value]) => `${`${key}:`.padEnd(11)}${value}`).join('\n'));
  });
}

async function itemCount(ctx: CliContext, user: UserRow): Promise<number> {
  return (await new ItemsService(ctx.database.db).list({ id: user.id, permissions: new Set() }, 0, 0)).count;
}

export async function setPassword(terminal: Terminal, ref: string, options: PasswordOptions): Promise<void> {
  const password = await readNewPassword(terminal, options);
  await withContext(terminal, async (ctx) => {
    const user = await findUser(ctx, ref);
    await ctx.users.update(user.id, { password }, ctx.changes.updated());
    say(terminal, `Changed the password of ${user.email}.`);
  });
}

/** One flag change: promote, demote, activate, deactivate, verify. */
export interface FlagChange {
  changes: UserChanges;
  /** Whether the user already is as asked. */
  already(user: UserRow): boolean;
  /** What to say after "ann@example.com": when it changed, and when it already was so. */
  changed: string;
  unchanged: string;
}

export const FLAG_CHANGES = {
  promote: {
    changes: { isSuperuser: true },
    already: (u) => u.isSuperuser,
    changed: 'is now a superuser',
    unchanged: 'is already a superuser',
  },
  demote: {
    changes: { isSuperuser: false },
    already: (u) => !u.isSuperuser,
    changed: 'is no longer a superuser',
    unchanged: 'is not a superuser',
  },
  activate: {
    changes: { isActive: true },
    already: (u) => u.isActive,
    changed: 'is active again',
    unchanged: 'is already active',
  },
  deactivate: {
    changes: { isActive: false },
    already: (u) => !u.isActive,
    changed: 'is deactivated: they cannot sign in',
    unchanged: 'is already deactivated',
  },
  verify: {
    changes: { isVerified: true },
    already: (u) => u.isVerified,
    changed: 'is now verified',
    unchanged: 'is already verified',
  },
} satisfies Record<string, FlagChange>;

export async function changeFlag(terminal: Terminal, ref: string, change: FlagChange): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const user = await findUser(ctx, ref);
    if (change.already(user)) {
      say(terminal, `${user.email} ${change.unchanged}.`);
      return;
    }
    await ctx.users.update(user.id, change.changes, ctx.changes.updated());
    say(terminal, `${user.email} ${change.changed}.`);
  });
}

export async function deleteUser(terminal: Terminal, ref: string, options: { yes?: boolean }): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const user = await findUser(ctx, ref);
    const items = await itemCount(ctx, user);
    const what = `${user.email}${items > 0 ? ` and their ${count(items, 'item')}` : ''}`;
    if (!options.yes && !(await confirm(terminal, `Delete ${what}? This cannot be undone.`))) {
      throw new OperationError('not deleted');
    }
    await ctx.users.delete(user.id, ctx.changes.deleted(user.id)).catch((error: unknown) => {
      if (error instanceof SoleOwnerError) {
        throw new OperationError(OrgMessages.soleOwner(`${user.email} is`, error.organizations));
      }
      throw error;
    });
    say(terminal, `Deleted ${what}.`);
  });
}

/** `roster users reset-mfa`: as DELETE /users/{id}/mfa. */
export async function resetMfa(terminal: Terminal, ref: string, options: { yes?: boolean }): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const user = await findUser(ctx, ref);
    if (!options.yes && !(await confirm(terminal, `Remove every second factor of ${user.email} and sign them out everywhere?`))) {
      throw new OperationError('not reset');
    }
    const ended = await ctx.database.db.transaction((tx) => ctx.changes.mfaReset(tx, user));
    say(
      terminal,
      `Reset multi-factor authentication of ${user.email}: every factor and remembered device removed, ${count(ended, 'session')} ended.`,
    );
  });
}

function describe(user: UserRow): string {
  const roles = [user.isSuperuser && 'superuser', !user.isActive && 'inactive', user.isVerified && 'verified'].filter(Boolean);
  return `${user.email}${roles.length > 0 ? ` (${roles.join(', ')})` : ''}`;
}
