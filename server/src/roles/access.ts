/**
 * What a signed-in user may do, and the rules about who may change whose roles.
 * Pure functions over roles and permissions: the service and the guard share them.
 */
import type { UserRow } from '../db/schema.js';
import { BUILT_IN_ROLES, isPermission, PERMISSIONS, type Permission, type Requirement, SUPERUSER_ROLE } from './catalogue.js';

/** A role as held: its name and, for a custom role, its stored permission codes. */
export interface HeldRole {
  name: string;
  permissions: readonly string[];
}

export interface Access {
  /** `superuser` first when held, then the other roles by name. */
  roles: readonly string[];
  permissions: ReadonlySet<Permission>;
}

/** The caller as the guards see them: the user row with its roles and permissions (kept together in the user cache). */
export type AuthenticatedUser = UserRow & Access;

/** A role's permissions in catalogue order: a built-in role's from the catalogue, a custom role's as stored (unknown codes ignored). */
export function permissionsOfRole(role: HeldRole): Permission[] {
  return inCatalogueOrder(BUILT_IN_ROLES[role.name] ?? role.permissions.filter(isPermission));
}

export function inCatalogueOrder(codes: readonly string[]): Permission[] {
  return PERMISSIONS.filter((code) => codes.includes(code));
}

export function accessOf(user: Pick<UserRow, 'isSuperuser'>, held: readonly HeldRole[]): Access {
  const all = [...(user.isSuperuser ? [{ name: SUPERUSER_ROLE, permissions: [] }] : []), ...held];
  const permissions = new Set<Permission>();
  for (const role of all) for (const permission of permissionsOfRole(role)) permissions.add(permission);
  return { roles: all.map((role) => role.name), permissions };
}

export function holds(access: Access, requirement: Requirement): boolean {
  return requirement === SUPERUSER_ROLE ? access.roles.includes(SUPERUSER_ROLE) : access.permissions.has(requirement);
}

/** Whether `actor` may grant or revoke `role`: only with every permission it confers (and `superuser` only as one). */
export function mayConfer(actor: Access, role: HeldRole): boolean {
  if (role.name === SUPERUSER_ROLE && !holds(actor, SUPERUSER_ROLE)) return false;
  return permissionsOfRole(role).every((permission) => actor.permissions.has(permission));
}

/**
 * Whether `actor` may act on `target`'s account (change it, delete it, sign it out,
 * change its roles): only when the target holds nothing the actor lacks, so no one
 * takes over an account more powerful than their own (a `user_admin` and a superuser).
 */
export function mayManage(actor: Access, target: Access): boolean {
  if (holds(target, SUPERUSER_ROLE) && !holds(actor, SUPERUSER_ROLE)) return false;
  return [...target.permissions].every((permission) => actor.permissions.has(permission));
}
