// Roles in the web app: how a role and its permissions read, and what the roles page sends
// when a superuser defines or edits a custom role. The server decides (docs/roles.md); these
// only shape the request and say beforehand what it would refuse.
import type { PermissionCode, RoleCreate, RolePublic, RoleUpdate } from '../api/types';
import { SUPERUSER_ROLE } from './permissions';
import type { Check } from './validation';

/** A role's name as people read it: "user admin", and "Superuser" for the role `is_superuser` stands for. */
export function roleLabel(name: string): string {
  return name === SUPERUSER_ROLE ? 'Superuser' : name.replaceAll('_', ' ');
}

// Keyed by the API's enum: a permission added to the catalogue fails the type check here until it is described.
export const PERMISSION_HINTS: Record<PermissionCode, string> = {
  'users:read': 'List and look up users, their sessions, roles and organizations',
  'users:write': 'Create and change users, set their roles',
  'users:delete': 'Delete users',
  'sessions:revoke': 'Sign a user out everywhere',
  'audit:read': 'Read the audit log',
  'webhooks:manage': 'Manage webhooks',
  'orgs:manage': 'See and manage every organization',
  'items:read_all': "See every user's items",
  'items:write_all': "Change and delete every user's items",
};

export function permissionHint(code: string): string | undefined {
  return Object.hasOwn(PERMISSION_HINTS, code) ? PERMISSION_HINTS[code as PermissionCode] : undefined;
}

/** The server's ROLE_NAME_PATTERN (server/src/roles/catalogue.ts). */
const ROLE_NAME = /^[a-z][a-z0-9_]{1,62}$/;

export const roleName: Check = (value) => {
  if (value === '') return 'Name is required';
  if (!ROLE_NAME.test(value)) return 'Use 2 to 63 lower-case letters, digits or _, starting with a letter';
  return undefined;
};

/** What the role form edits; the description as typed ('' for none). */
export type RoleDraft = { name: string; description: string; permissions: string[] };

export function draftOf(role?: Pick<RolePublic, 'name' | 'description' | 'permissions'>): RoleDraft {
  return { name: role?.name ?? '', description: role?.description ?? '', permissions: [...(role?.permissions ?? [])] };
}

/** `selected` with `code` checked or not, in the catalogue's order (the order the server keeps). */
export function withPermission(catalogue: readonly string[], selected: readonly string[], code: string, on: boolean): string[] {
  const next = new Set(selected);
  if (on) next.add(code);
  else next.delete(code);
  return catalogue.filter((known) => next.has(known));
}

const descriptionOf = (draft: RoleDraft) => draft.description.trim() || null;

export function createBody(draft: RoleDraft): RoleCreate {
  return {
    name: draft.name,
    description: descriptionOf(draft),
    permissions: draft.permissions as PermissionCode[],
  };
}

/** Only what the draft changes, so an unchanged name or list is not sent (and not audited as changed). */
export function changesOf(role: Pick<RolePublic, 'name' | 'description' | 'permissions'>, draft: RoleDraft): RoleUpdate {
  const changes: RoleUpdate = {};
  if (draft.name !== role.name) changes.name = draft.name;
  if (descriptionOf(draft) !== (role.description ?? null)) changes.description = descriptionOf(draft);
  const samePermissions =
    draft.permissions.length === role.permissions.length && draft.permissions.every((code) => role.permissions.includes(code));
  if (!samePermissions) changes.permissions = draft.permissions as PermissionCode[];
  return changes;
}

/** What deleting a role does to the people who hold it, for the confirmation. */
export function holdersNotice(holders: number): string {
  if (holders === 0) return 'Nobody holds it.';
  if (holders === 1) return 'The 1 user who holds it loses it, and the permissions it gives, at once.';
  return `The ${holders} users who hold it lose it, and the permissions it gives, at once.`;
}
