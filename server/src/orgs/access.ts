/**
 * Who may do what in an organization. A member acts with their role; a holder of the
 * global `orgs:manage` permission acts as an owner of every organization (support
 * staff fixing an account), though only real owners count towards "at least one owner".
 */
import type { OrgRole, UserRow } from '../db/schema.js';
import { type Access, holds } from '../roles/access.js';

/**
 * Whether `user` holds the global `orgs:manage` permission. A caller whose roles were not
 * loaded (a row read by the CLI, which acts for the operator) counts by `is_superuser`,
 * the role that holds every permission.
 */
export function canManageAllOrganizations(user: UserRow & Partial<Access>): boolean {
  return user.permissions ? holds(user as Access, 'orgs:manage') : user.isSuperuser;
}

/** The role `user` acts with in an organization where their membership is `memberRole` (null: none). */
export function actingRole(user: UserRow, memberRole: OrgRole | null): OrgRole | null {
  if (memberRole) return canManageAllOrganizations(user) ? 'owner' : memberRole;
  return canManageAllOrganizations(user) ? 'owner' : null;
}

export const canEdit = (role: OrgRole | null) => role === 'owner' || role === 'admin';
