// What the signed-in user may do, from /users/me. The pages hide what the server would
// refuse; the server still decides (every admin route checks its permission).
import type { Me, RolePublic } from '../api/types';

export const SUPERUSER_ROLE = 'superuser';

export function can(me: Pick<Me, 'permissions'> | null | undefined, permission: string): boolean {
  return me?.permissions.includes(permission) ?? false;
}

export function isSuperuser(me: Pick<Me, 'roles'> | null | undefined): boolean {
  return me?.roles.includes(SUPERUSER_ROLE) ?? false;
}

/** Whether `me` may give or take `role` (the server's rule: only with every permission it confers). */
export function mayConfer(me: Pick<Me, 'roles' | 'permissions'>, role: Pick<RolePublic, 'name' | 'permissions'>): boolean {
  if (role.name === SUPERUSER_ROLE && !isSuperuser(me)) return false;
  return role.permissions.every((permission) => me.permissions.includes(permission));
}

/** The admin page a user may open first: the users list, else the audit log, else none. */
export function adminHome(me: Pick<Me, 'permissions'> | null | undefined): '/admin' | '/admin/audit' | null {
  if (can(me, 'users:read')) return '/admin';
  if (can(me, 'audit:read')) return '/admin/audit';
  return null;
}
