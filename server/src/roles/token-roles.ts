/**
 * The role names a new access token carries. Every sign-in and refresh needs them, so
 * they come from the user cache, which every guard already trusts: a grant or a
 * revocation is announced like any change to the user (migration 0014) and drops the
 * entry in every process. Without it each token would cost one more database round
 * trip (bench row 2). A user the cache cannot serve is read as before.
 */
import type { UserCache } from '../auth/user-cache.js';
import type { UserRow } from '../db/schema.js';
import type { RolesService } from './service.js';

/** A refresh knows only these of its user (read with its session, in the same statement). */
export type TokenRoles = (user: Pick<UserRow, 'id' | 'isSuperuser'>) => Promise<readonly string[]>;

export function cachedTokenRoles(cache: UserCache, roles: RolesService): TokenRoles {
  return async (user) => (await cache.get(user.id))?.roles ?? (await roles.accessOf(user)).roles;
}
