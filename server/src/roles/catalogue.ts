/**
 * The permission catalogue and the built-in roles. Permissions are a fixed list of
 * codes: a route declares the one it needs (route config `permission`, see guard.ts)
 * and a role is a named set of them. Built-in roles are defined here, not in the
 * database, so a new permission reaches `superuser` without a migration.
 */

export const PERMISSIONS = [
  'users:read',
  'users:write',
  'users:delete',
  'sessions:revoke',
  'audit:read',
  'webhooks:manage',
  'orgs:manage',
  'items:read_all',
  'items:write_all',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The role `user.is_superuser` stands for: every permission, and what no permission names (roles, operator tools). */
export const SUPERUSER_ROLE = 'superuser';

/**
 * What a route may require: one permission, or the superuser role itself for what
 * is deliberately outside the catalogue (defining roles, the test email).
 */
export type Requirement = Permission | typeof SUPERUSER_ROLE;

export const BUILT_IN_ROLES: Readonly<Record<string, readonly Permission[]>> = {
  [SUPERUSER_ROLE]: PERMISSIONS,
  user_admin: ['users:read', 'users:write', 'sessions:revoke', 'audit:read'],
  support: ['users:read', 'audit:read'],
};

export const isBuiltInRole = (name: string): boolean => Object.hasOwn(BUILT_IN_ROLES, name);

const KNOWN = new Set<string>(PERMISSIONS);
export const isPermission = (code: string): code is Permission => KNOWN.has(code);

/** Role names: lower-case words joined by `_`, as the built-in ones. */
export const ROLE_NAME_PATTERN = '^[a-z][a-z0-9_]{1,62}$';
