/**
 * Accounts: creation, lookup, listing, updates and deletion, and the password
 * rules around them. No HTTP here: refusals are typed errors the routes map to
 * the contract's status codes and messages.
 */
import { and, count, eq, getTableColumns, ilike, or, type SQL, sql } from 'drizzle-orm';
import type { OneTimeTokens } from '../auth/one-time-tokens.js';
import { NO_PASSWORD, type PasswordHasher } from '../auth/passwords.js';
import { type Database, type Executor, sqlState, UNIQUE_VIOLATION } from '../db/client.js';
import { afterPosition, type KeysetPosition } from '../db/keyset.js';
import { type UserRow, users } from '../db/schema.js';
import { keepOrganizationsOwned } from '../orgs/owner-rule.js';
import { keepAnotherSuperuser } from '../roles/last-superuser.js';
import { normalizeEmail } from './email-address.js';
import { type UserSortField, userQueries, userSort } from './queries.js';

/** The address is already held by another account (in any spelling with the same normal form). */
export class EmailTakenError extends Error {
  constructor() {
    super('email taken');
    this.name = 'EmailTakenError';
  }
}

export interface NewUser {
  email: string;
  /** `null`: no password (an account a sign-in provider created); see NO_PASSWORD. */
  password: string | null;
  fullName?: string | null;
  isActive?: boolean;
  isSuperuser?: boolean;
  isVerified?: boolean;
}

export interface UserChanges {
  email?: string;
  password?: string;
  fullName?: string | null;
  isActive?: boolean;
  isSuperuser?: boolean;
  isVerified?: boolean;
}

export const USER_ORDERS = ['created_at', '-created_at', 'email', '-email', 'full_name', '-full_name'] as const;
export type UserOrder = (typeof USER_ORDERS)[number];

export interface UserQuery {
  skip: number;
  limit: number;
  /** Case-insensitive substring of the email or the full name. */
  q?: string;
  isActive?: boolean;
  isSuperuser?: boolean;
  isVerified?: boolean;
  /** Whether the account has a second factor. */
  mfaEnabled?: boolean;
  orderBy?: UserOrder;
  /** Keyset paging: start after this row (from a previous page's cursor); `skip` still applies after it. */
  after?: KeysetPosition;
}

export interface UserPage {
  rows: UserRow[];
  /** All users matching the filters, ignoring skip, limit and the cursor. */
  count: number;
  /** Where the next page starts; `null` when this page reached the end. */
  next: KeysetPosition | null;
}

/** Work that must commit with the change, or not at all (the change's emails). */
export type AfterUpdate = (tx: Executor, before: UserRow, after: UserRow) => Promise<void>;
export type AfterChange = (tx: Executor, user: UserRow) => Promise<void>;
/** Work in the transaction of a change that has no row to hand over (a delete, a password change). */
export type AfterWrite = (tx: Executor) => Promise<void>;

/**
 * Told of every change to a user's row, inside its transaction (the webhook
 * events): the one place every path that changes a user passes through.
 */
export interface UserChangeEvents {
  created(tx: Executor, user: UserRow): Promise<void>;
  updated(tx: Executor, before: UserRow, after: UserRow): Promise<void>;
  deleted(tx: Executor, user: UserRow): Promise<void>;
}

const NO_EVENTS: UserChangeEvents = { created: async () => {}, updated: async () => {}, deleted: async () => {} };

export interface EmailDuplicateGroup {
  /** The normal form they share. */
  normalized: string;
  /** The account that holds the address (rank 0, if it still exists) first, then the others by rank. */
  accounts: UserRow[];
}

export type LoginResult =
  | { outcome: 'ok'; user: UserRow }
  | { outcome: 'bad-credentials'; userId: string | null }
  | { outcome: 'inactive'; user: UserRow };

export class UsersService {
  constructor(
    private readonly db: Database,
    private readonly hasher: PasswordHasher,
    private readonly tokens: OneTimeTokens,
  ) {}

  /**
   * Called with a user's id after every committed change to their row, so this
   * process's user cache forgets it at once (other processes hear it by NOTIFY).
   */
  onUserChanged: (id: string) => void = () => {};

  /** Runs in the transaction of every change (the webhook events); set once after construction. */
  events: UserChangeEvents = NO_EVENTS;

  async getById(id: string): Promise<UserRow | null> {
    const [row] = await userQueries(this.db).byId.execute({ id });
    return row ?? null;
  }

  /** The account holding the address, compared by normal form (see email-address.ts). */
  async getByEmail(email: string): Promise<UserRow | null> {
    const [row] = await userQueries(this.db).byNormalizedEmail.execute({ normalized: normalizeEmail(email) });
    return row ?? null;
  }

  /**
   * Accounts that share an address's normal form, which only migration 0008 can
   * leave behind (see its notes): one group per address, the holder first.
   */
  async emailDuplicates(): Promise<EmailDuplicateGroup[]> {
    const rows = await this.db
      .select()
      .from(users)
      .where(sql`${users.emailNormalized} IN (SELECT email_normalized FROM "user" WHERE email_duplicate_rank > 0)`)
      .orderBy(users.emailNormalized, users.emailDuplicateRank);
    const groups = new Map<string, UserRow[]>();
    for (const row of rows) {
      const key = row.emailNormalized as string;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    return [...groups].map(([normalized, accounts]) => ({ normalized, accounts }));
  }

  /**
   * Throws EmailTakenError when the address exists; the unique index decides races.
   * `after` runs in the same transaction (the welcome emails).
   */
  async create(input: NewUser, after?: AfterChange): Promise<UserRow> {
    const hashedPassword = input.password === null ? NO_PASSWORD : await this.hasher.hash(input.password);
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(users)
          .values({
            email: input.email,
            emailNormalized: normalizeEmail(input.email),
            hashedPassword,
            fullName: input.fullName ?? null,
            isActive: input.isActive ?? true,
            isSuperuser: input.isSuperuser ?? false,
            isVerified: input.isVerified ?? false,
          })
          .returning();
        const user = row as UserRow;
        await this.events.created(tx, user);
        await after?.(tx, user);
        return user;
      });
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  /**
   * Creates the account unless one with that email exists (in any case); safe
   * when several processes bootstrap at once. Returns whether it was created.
   */
  async createIfAbsent(input: NewUser): Promise<boolean> {
    if (await this.getByEmail(input.email)) return false;
    try {
      await this.create(input);
      return true;
    } catch (error) {
      if (error instanceof EmailTakenError) return false;
      throw error;
    }
  }

  async list(query: UserQuery): Promise<UserPage> {
    const where = userFilter(query);
    const order = query.orderBy ?? '-created_at';
    const sort = userSort(order.replace(/^-/, '') as UserSortField, order.startsWith('-'));
    const [found, total] = await Promise.all([
      this.db
        .select({ ...getTableColumns(users), sortKey: sort.keyText })
        .from(users)
        .where(query.after ? and(where, afterPosition(sort.keyset, query.after)) : where)
        .orderBy(...sort.orderBy)
        .offset(query.skip)
        // One row more than asked tells whether there is a next page.
        .limit(query.limit + 1),
      this.count(where),
    ]);
    const hasMore = found.length > query.limit;
    const page = found.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      rows: page.map(({ sortKey: _, ...row }) => row),
      count: total,
      next: hasMore && last ? { key: last.sortKey, id: last.id } : null,
    };
  }

  /** Exact. Without filters it is one row kept by triggers, not a scan of every user. */
  private async count(where: SQL | undefined): Promise<number> {
    if (!where) {
      const [row] = await userQueries(this.db).total.execute();
      return Number(row?.value ?? 0);
    }
    const [row] = await this.db.select({ value: count() }).from(users).where(where);
    return Number(row?.value ?? 0);
  }

  /**
   * Applies a partial change; `null` when the user does not exist.
   *
   * A new password ends outstanding reset links. A new address (other than a
   * change of letter case) is unverified unless `isVerified` says otherwise, and
   * ends the links sent to the old one. `after` runs in the same transaction.
   */
  async update(id: string, changes: UserChanges, after?: AfterUpdate): Promise<UserRow | null> {
    const hashedPassword = changes.password !== undefined ? await this.hasher.hash(changes.password) : undefined;
    try {
      const row = await this.db.transaction(async (tx) => {
        // Throws LastSuperuserError: the last active superuser stays one.
        if (changes.isSuperuser === false || changes.isActive === false) await keepAnotherSuperuser(tx, id);
        const [before] = await tx.select().from(users).where(eq(users.id, id)).for('update');
        if (!before) return null;
        const values: Partial<typeof users.$inferInsert> = {};
        if (changes.email !== undefined) {
          values.email = changes.email;
          values.emailNormalized = normalizeEmail(changes.email);
          // Any new spelling claims the address: a duplicate kept by migration 0008 stops being one,
          // or the unique index refuses the change.
          values.emailDuplicateRank = 0;
        }
        if (changes.fullName !== undefined) values.fullName = changes.fullName;
        if (changes.isActive !== undefined) values.isActive = changes.isActive;
        if (changes.isSuperuser !== undefined) values.isSuperuser = changes.isSuperuser;
        if (changes.isVerified !== undefined) values.isVerified = changes.isVerified;
        if (hashedPassword !== undefined) values.hashedPassword = hashedPassword;
        const emailChanged = values.emailNormalized !== undefined && values.emailNormalized !== before.emailNormalized;
        if (emailChanged && changes.isVerified === undefined) values.isVerified = false;
        if (Object.keys(values).length === 0) return before;

        const [updated] = await tx.update(users).set(values).where(eq(users.id, id)).returning();
        const row = updated as UserRow;
        if (hashedPassword !== undefined || emailChanged) await this.tokens.revokeAll(tx, id, 'password_reset');
        if (emailChanged) await this.tokens.revokeAll(tx, id, 'email_verification');
        await this.events.updated(tx, before, row);
        await after?.(tx, before, row);
        return row;
      });
      this.onUserChanged(id);
      return row;
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  /**
   * Deletes the user and, by the foreign keys' cascade, their items, sessions, tokens
   * roles and memberships. Throws SoleOwnerError for an organization's only owner and
   * LastSuperuserError for the last active superuser: every path that deletes a user
   * comes here, so these rules hold on all of them.
   */
  async delete(id: string, after?: AfterWrite): Promise<boolean> {
    const deleted = await this.db.transaction(async (tx) => {
      // Organizations' locks first, then users' (see keepOrganizationsOwned).
      await keepOrganizationsOwned(tx, id);
      await keepAnotherSuperuser(tx, id);
      const [row] = await tx.delete(users).where(eq(users.id, id)).returning();
      if (!row) return false;
      await this.events.deleted(tx, row);
      await after?.(tx);
      return true;
    });
    this.onUserChanged(id);
    return deleted;
  }

  /** Sets a new password and ends the user's outstanding reset links; `after` runs in the same transaction. */
  async setPassword(id: string, password: string, after?: AfterWrite): Promise<void> {
    const hashedPassword = await this.hasher.hash(password);
    await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(users).where(eq(users.id, id)).for('update');
      const [updated] = await tx.update(users).set({ hashedPassword }).where(eq(users.id, id)).returning();
      if (before && updated) await this.events.updated(tx, before, updated);
      await this.tokens.revokeAll(tx, id, 'password_reset');
      await after?.(tx);
    });
    this.onUserChanged(id);
  }

  /**
   * Redeems a password-reset token. The token is spent only when the password is
   * actually changed: an inactive account keeps its link unused.
   */
  async resetPassword(token: string, newPassword: string, after?: AfterChange): Promise<'ok' | 'invalid-token' | 'inactive'> {
    const hashedPassword = await this.hasher.hash(newPassword);
    let changed: string | null = null;
    const outcome = await this.db
      .transaction(async (tx) => {
        const redeemed = await this.tokens.redeem(tx, 'password_reset', token);
        if (!redeemed) return 'invalid-token' as const;
        const [user] = await tx.select().from(users).where(eq(users.id, redeemed.userId)).for('update');
        if (!user) return 'invalid-token' as const;
        if (!user.isActive) throw new RollbackWith('inactive');
        await tx.update(users).set({ hashedPassword }).where(eq(users.id, user.id));
        await this.events.updated(tx, user, { ...user, hashedPassword });
        await this.tokens.revokeAll(tx, user.id, 'password_reset');
        await after?.(tx, user);
        changed = user.id;
        return 'ok' as const;
      })
      .catch(unwrapRollback<'ok' | 'invalid-token' | 'inactive'>);
    if (outcome === 'ok' && changed) this.onUserChanged(changed);
    return outcome;
  }

  /**
   * Redeems an email-restore token (sent to the old address when the user changed
   * it): the account gets that address back, verified, since the link proves the
   * mailbox. Every other restore link and every outstanding reset or verification
   * link ends, so one sent to an address an intruder set cannot undo this. `null`
   * for an unknown, used or expired token; EmailTakenError if the address has been
   * taken by another account meanwhile (the token then stays unused).
   */
  async restoreEmail(token: string, after?: AfterUpdate): Promise<UserRow | null> {
    try {
      const restored = await this.db.transaction(async (tx) => {
        const redeemed = await this.tokens.redeem(tx, 'email_restore', token);
        if (!redeemed) return null;
        const [before] = await tx.select().from(users).where(eq(users.id, redeemed.userId)).for('update');
        if (!before) return null;
        const [updated] = await tx
          .update(users)
          .set({
            email: redeemed.email,
            emailNormalized: normalizeEmail(redeemed.email),
            emailDuplicateRank: 0,
            isVerified: true,
          })
          .where(eq(users.id, before.id))
          .returning();
        const user = updated as UserRow;
        for (const purpose of ['email_restore', 'password_reset', 'email_verification'] as const) {
          await this.tokens.revokeAll(tx, user.id, purpose);
        }
        await this.events.updated(tx, before, user);
        await after?.(tx, before, user);
        return user;
      });
      if (restored) this.onUserChanged(restored.id);
      return restored;
    } catch (error) {
      throw translateUniqueViolation(error);
    }
  }

  /** Redeems an email-verification token; it must be for the account's current address. */
  async verifyEmail(token: string, after?: AfterChange): Promise<UserRow | null> {
    const verified = await this.db
      .transaction(async (tx) => {
        const redeemed = await this.tokens.redeem(tx, 'email_verification', token);
        if (!redeemed) return null;
        const [before] = await tx
          .select()
          .from(users)
          .where(and(eq(users.id, redeemed.userId), emailIs(redeemed.email)))
          .for('update');
        if (!before) throw new RollbackWith(null);
        const [user] = await tx.update(users).set({ isVerified: true }).where(eq(users.id, before.id)).returning();
        if (!user) throw new RollbackWith(null);
        await this.events.updated(tx, before, user);
        await after?.(tx, user);
        return user;
      })
      .catch(unwrapRollback<UserRow | null>);
    if (verified) this.onUserChanged(verified.id);
    return verified;
  }

  /**
   * Checks an email and password. An unknown email still costs one verification,
   * so response time does not tell whether an account exists. A correct password
   * over an outdated hash is re-hashed with the current parameters.
   */
  async authenticate(email: string, password: string): Promise<LoginResult> {
    const user = await this.getByEmail(email);
    if (!user) {
      await this.hasher.verifyDummy(password);
      return { outcome: 'bad-credentials', userId: null };
    }
    const verification = await this.hasher.verify(user.hashedPassword, password);
    if (!verification.ok) return { outcome: 'bad-credentials', userId: user.id };
    if (verification.needsRehash) await this.rehash(user, password);
    return user.isActive ? { outcome: 'ok', user } : { outcome: 'inactive', user };
  }

  /** Does `password` match the user's current one? */
  async passwordMatches(user: UserRow, password: string): Promise<boolean> {
    return (await this.hasher.verify(user.hashedPassword, password)).ok;
  }

  private async rehash(user: UserRow, password: string): Promise<void> {
    const hashedPassword = await this.hasher.hash(password);
    // Only replace the hash that was verified: a password changed meanwhile wins.
    await this.db
      .update(users)
      .set({ hashedPassword })
      .where(and(eq(users.id, user.id), eq(users.hashedPassword, user.hashedPassword)));
    this.onUserChanged(user.id);
  }
}

/** Ends a transaction with a rollback and a result instead of an error. */
class RollbackWith<T> extends Error {
  constructor(readonly result: T) {
    super('rollback');
  }
}

function unwrapRollback<T>(error: unknown): T {
  if (error instanceof RollbackWith) return error.result as T;
  throw error;
}

/** Email equality as the unique index defines it: by normal form. */
function emailIs(email: string): SQL {
  return eq(users.emailNormalized, normalizeEmail(email));
}

function translateUniqueViolation(error: unknown): unknown {
  return sqlState(error) === UNIQUE_VIOLATION ? new EmailTakenError() : error;
}

/** `%`, `_` and `\` match literally in a search string. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function userFilter(query: UserQuery): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (query.q) {
    const pattern = likePattern(query.q);
    conditions.push(or(ilike(users.email, pattern), ilike(users.fullName, pattern)));
  }
  if (query.isActive !== undefined) conditions.push(eq(users.isActive, query.isActive));
  if (query.isSuperuser !== undefined) conditions.push(eq(users.isSuperuser, query.isSuperuser));
  if (query.isVerified !== undefined) conditions.push(eq(users.isVerified, query.isVerified));
  if (query.mfaEnabled !== undefined) conditions.push(eq(users.mfaEnabled, query.mfaEnabled));
  return and(...conditions);
}
