/**
 * Who may do what in an organization. A member acts with their role; a holder of the
 * global `orgs:manage` permission acts as an owner of every organization (support
 * staff fixing an account), though only real owners count towards "at least one owner".
 */
import type { OrgRole, UserRow } from '../db/schema.js';

/**
 * MERGE NOTE (issue 18): a stand-in for the global permission `orgs:manage`, which the
 * roles part of the issue (server/src/roles/) declares. At merge time replace the body
 * with that permission check; every caller goes through this one function.
 */
export function canManageAllOrganizations(user: UserRow): boolean {
  return user.isSuperuser;
}

/** The role `user` acts with in an organization where their membership is `memberRole` (null: none). */
export function actingRole(user: UserRow, memberRole: OrgRole | null): OrgRole | null {
  if (memberRole) return canManageAllOrganizations(user) ? 'owner' : memberRole;
  return canManageAllOrganizations(user) ? 'owner' : null;
}

export const canEdit = (role: OrgRole | null) => role === 'owner' || role === 'admin';
