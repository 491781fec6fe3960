/**
 * Roles: the custom roles' definitions, who holds which role, and the rules for
 * changing either. No HTTP here: refusals are RoleRuleErrors the routes map to
 * status codes. Every change is audited in its own transaction and reaches every
 * process's user cache when it commits (the triggers of migration 0014), and this
 * process's at once (`onUsersChanged`).
 */
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import { type Database, type Executor, sqlState, UNIQUE_VIOLATION } from '../db/client.js';
import { roles, type UserRow, userRoles, users } from '../db/schema.js';
import {
  type Access,
  type AuthenticatedUser,
  accessOf,
  type HeldRole,
  inCatalogueOrder,
  mayConfer,
  mayManage,
  permissionsOfRole,
} from './access.js';
import { BUILT_IN_ROLES, isBuiltInRole, type Permission, SUPERUSER_ROLE } from './catalogue.js';
import { keepAnotherSuperuser, LastSuperuserError } from './last-superuser.js';

export type RoleRuleReason =
  | 'user-not-found'
  | 'role-not-found'
  | 'unknown-role'
  | 'name-taken'
  | 'built-in'
  | 'target-outranks'
  | 'permission-not-held'
  | 'last-superuser';

/** A change the rules refuse; `message` is the answer's detail. */
export class RoleRuleError extends Error {
  constructor(
    readonly reason: RoleRuleReason,
    message: string,
  ) {
    super(message);
    this.name = 'RoleRuleError';
  }
}

export const RoleMessages = {
  roleNotFound: 'Role not found',
  nameTaken: 'A role with this name already exists',
  builtIn: 'Built-in roles cannot be changed or deleted',
  targetOutranks: 'You cannot change a user who holds permissions you do not hold',
  permissionNotHeld: 'You cannot grant or revoke a role with permissions you do not hold',
  lastSuperuser: 'The last superuser cannot lose the role',
} as const;

export interface RoleView {
  name: string;
  description: string | null;
  permissions: Permission[];
  builtIn: boolean;
  /** How many users hold it. */
  holders: number;
}

export interface RoleInput {
  name: string;
  description?: string | null;
  permissions: Permission[];
}

export interface RoleChanges {
  name?: string;
  description?: string | null;
  permissions?: Permission[];
}

/** Who asks for a change: a signed-in user's access, or `null` for the operator at the CLI (no grant rules). */
export type Actor = Access | null;

export class RolesService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
  ) {}

  /** After a committed change: the users whose roles changed, or `'all'` when a role's definition did. */
  onUsersChanged: (ids: string[] | 'all') => void = () => {};

  /** The roles each user holds through user_role (never `superuser`), by user id. */
  async heldRoles(userIds: readonly string[], executor: Executor = this.db): Promise<Map<string, HeldRole[]>> {
    const held = new Map<string, HeldRole[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return held;
    const rows = await executor
      .select({ userId: userRoles.userId, name: roles.name, permissions: roles.permissions })
      .from(userRoles)
      .innerJoin(roles, eq(roles.name, userRoles.roleName))
      .where(inArray(userRoles.userId, [...userIds]))
      .orderBy(asc(roles.name));
    for (const { userId, ...role } of rows) held.get(userId)?.push(role);
    return held;
  }

  async accessOf(user: Pick<UserRow, 'id' | 'isSuperuser'>, executor: Executor = this.db): Promise<Access> {
    return accessOf(user, (await this.heldRoles([user.id], executor)).get(user.id) ?? []);
  }

  async withAccess(user: UserRow): Promise<AuthenticatedUser> {
    return { ...user, ...(await this.accessOf(user)) };
  }

  /** Role names of each user (for lists), by user id. */
  async roleNames(users: readonly UserRow[]): Promise<Map<string, readonly string[]>> {
    const held = await this.heldRoles(users.map((user) => user.id));
    return new Map(users.map((user) => [user.id, accessOf(user, held.get(user.id) ?? []).roles]));
  }

  /** Built-in roles first (superuser, user_admin, support), then custom roles by name. */
  async list(): Promise<RoleView[]> {
    const [rows, holders, superusers] = await Promise.all([
      this.db.select().from(roles).orderBy(asc(roles.name)),
      this.db.select({ name: userRoles.roleName, value: count() }).from(userRoles).groupBy(userRoles.roleName),
      this.db.select({ value: count() }).from(users).where(eq(users.isSuperuser, true)),
    ]);
    const counts = new Map(holders.map((row) => [row.name, Number(row.value)]));
    counts.set(SUPERUSER_ROLE, Number(superusers[0]?.value ?? 0));
    const order = Object.keys(BUILT_IN_ROLES);
    const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
    return rows
      .map((row) => ({
        name: row.name,
        description: row.description,
        permissions: permissionsOfRole(row),
        builtIn: isBuiltInRole(row.name),
        holders: counts.get(row.name) ?? 0,
      }))
      .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<RoleView | null> {
    return (await this.list()).find((role) => role.name === name) ?? null;
  }

  async create(input: RoleInput, origin: RequestOrigin): Promise<RoleView> {
    const permissions = inCatalogueOrder(input.permissions);
    try {
      await this.db.transaction(async (tx) => {
        await tx.insert(roles).values({ name: input.name, description: input.description ?? null, permissions });
        await this.audit.record(tx, origin, { type: 'role.created', details: { role: input.name, permissions } });
      });
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new RoleRuleError('name-taken', RoleMessages.nameTaken);
      throw error;
    }
    return (await this.get(input.name)) as RoleView;
  }

  /** Renames or redefines a custom role; its holders keep it (the rename follows by the foreign key). */
  async update(name: string, changes: RoleChanges, origin: RequestOrigin): Promise<RoleView> {
    if (isBuiltInRole(name)) throw new RoleRuleError('built-in', RoleMessages.builtIn);
    const newName = changes.name ?? name;
    try {
      await this.db.transaction(async (tx) => {
        const [before] = await tx.select().from(roles).where(eq(roles.name, name)).for('update');
        if (!before) throw new RoleRuleError('role-not-found', RoleMessages.roleNotFound);
        const permissions = changes.permissions ? inCatalogueOrder(changes.permissions) : before.permissions;
        await tx
          .update(roles)
          .set({
            name: newName,
            permissions,
            ...(changes.description !== undefined && { description: changes.description }),
          })
          .where(eq(roles.name, name));
        await this.audit.record(tx, origin, {
          type: 'role.updated',
          details: {
            role: newName,
            ...(newName !== name && { renamed_from: name }),
            permissions_added: permissions.filter((p) => !before.permissions.includes(p)),
            permissions_removed: before.permissions.filter((p) => !permissions.includes(p)),
          },
        });
      });
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new RoleRuleError('name-taken', RoleMessages.nameTaken);
      throw error;
    }
    this.onUsersChanged('all');
    return (await this.get(newName)) as RoleView;
  }

  /** Deletes a custom role; every holder loses it. */
  async delete(name: string, origin: RequestOrigin): Promise<void> {
    if (isBuiltInRole(name)) throw new RoleRuleError('built-in', RoleMessages.builtIn);
    await this.db.transaction(async (tx) => {
      const holders = await tx.select({ userId: userRoles.userId }).from(userRoles).where(eq(userRoles.roleName, name));
      const deleted = await tx.delete(roles).where(eq(roles.name, name)).returning({ name: roles.name });
      if (deleted.length === 0) throw new RoleRuleError('role-not-found', RoleMessages.roleNotFound);
      await this.audit.record(tx, origin, { type: 'role.deleted', details: { role: name, holders: holders.length } });
    });
    this.onUsersChanged('all');
  }

  /**
   * Sets exactly the roles a user holds. `actor` (unless the operator) must be able
   * to manage the user and hold every permission of each role granted or revoked;
   * the last active superuser keeps the role. One `role.granted` or `role.revoked`
   * event per role that changed. Returns the user with their new roles.
   */
  async setUserRoles(actor: Actor, userId: string, wanted: readonly string[], origin: RequestOrigin): Promise<AuthenticatedUser> {
    const names = [...new Set(wanted)];
    const result = await this.db
      .transaction(async (tx) => {
        if (!names.includes(SUPERUSER_ROLE)) await keepAnotherSuperuser(tx, userId);
        const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
        if (!user) throw new RoleRuleError('user-not-found', 'User not found');
        const before = await this.accessOf(user, tx);
        if (actor && !mayManage(actor, before)) throw new RoleRuleError('target-outranks', RoleMessages.targetOutranks);

        const stored = names.filter((name) => name !== SUPERUSER_ROLE);
        // Shared locks: a role granted here cannot be deleted or redefined before this commits.
        const found = stored.length > 0 ? await tx.select().from(roles).where(inArray(roles.name, stored)).for('share') : [];
        const missing = stored.filter((name) => !found.some((role) => role.name === name));
        if (missing.length > 0) throw new RoleRuleError('unknown-role', `Unknown role: ${missing.join(', ')}`);

        const definition = (name: string): HeldRole => found.find((role) => role.name === name) ?? { name, permissions: [] };
        const heldBefore = (await this.heldRoles([userId], tx)).get(userId) ?? [];
        const granted = names.filter((name) => !before.roles.includes(name));
        const revoked = before.roles.filter((name) => !names.includes(name));
        const changed = [
          ...granted.map(definition),
          ...revoked.map((name) => heldBefore.find((role) => role.name === name) ?? { name, permissions: [] }),
        ];
        if (actor && !changed.every((role) => mayConfer(actor, role))) {
          throw new RoleRuleError('permission-not-held', RoleMessages.permissionNotHeld);
        }

        let row = user;
        const superuser = names.includes(SUPERUSER_ROLE);
        if (superuser !== user.isSuperuser) {
          const [updated] = await tx.update(users).set({ isSuperuser: superuser }).where(eq(users.id, userId)).returning();
          row = updated as UserRow;
        }
        const grantedStored = granted.filter((name) => name !== SUPERUSER_ROLE);
        const revokedStored = revoked.filter((name) => name !== SUPERUSER_ROLE);
        if (grantedStored.length > 0) {
          await tx.insert(userRoles).values(grantedStored.map((roleName) => ({ userId, roleName })));
        }
        if (revokedStored.length > 0) {
          await tx.delete(userRoles).where(and(eq(userRoles.userId, userId), inArray(userRoles.roleName, revokedStored)));
        }
        for (const role of granted)
          await this.audit.record(tx, origin, { type: 'role.granted', targetId: userId, details: { role } });
        for (const role of revoked)
          await this.audit.record(tx, origin, { type: 'role.revoked', targetId: userId, details: { role } });
        return { ...row, ...(await this.accessOf(row, tx)) };
      })
      .catch((error: unknown) => {
        if (error instanceof LastSuperuserError) throw new RoleRuleError('last-superuser', RoleMessages.lastSuperuser);
        throw error;
      });
    this.onUsersChanged([userId]);
    return result;
  }

  /** Adds one role (the CLI's `roles grant`); `false` when the user already held it. */
  async grant(actor: Actor, user: UserRow, role: string, origin: RequestOrigin): Promise<boolean> {
    const current = (await this.accessOf(user)).roles;
    if (current.includes(role)) return false;
    await this.setUserRoles(actor, user.id, [...current, role], origin);
    return true;
  }

  /** Takes one role away (the CLI's `roles revoke`); `false` when the user did not hold it. */
  async revoke(actor: Actor, user: UserRow, role: string, origin: RequestOrigin): Promise<boolean> {
    const current = (await this.accessOf(user)).roles;
    if (!current.includes(role)) return false;
    await this.setUserRoles(
      actor,
      user.id,
      current.filter((name) => name !== role),
      origin,
    );
    return true;
  }
}
