/**
 * The per-process cache of user rows that keeps the database off the path of
 * every authenticated request. A trigger on "user" (migration 0002) NOTIFYs
 * `roster_user_changed` with the id of every updated or deleted row, so
 * deactivation, deletion, demotion and password changes reach every process
 * within milliseconds (see NotifiedCache for the rules that keep it honest).
 */

import { ALL_ROWS, NotifiedCache, type NotifiedCacheOptions } from '../db/notified-cache.js';
import type { AuthenticatedUser } from '../roles/access.js';

export const USER_CHANGES_CHANNEL = 'roster_user_changed';
export const ALL_USERS = ALL_ROWS;

/** Each user with their roles and permissions: a grant or revocation is announced like a change to the row (migration 0014). */
export class UserCache extends NotifiedCache<AuthenticatedUser> {
  constructor(load: (id: string) => Promise<AuthenticatedUser | null>, options: NotifiedCacheOptions = {}) {
    super(USER_CHANGES_CHANNEL, load, options);
  }
}
