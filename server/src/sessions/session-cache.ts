/**
 * The per-process cache of session states, so that checking an access token's
 * session costs no query. A trigger on "session" (migration 0006) NOTIFYs
 * `roster_session_changed` with the id of every updated or deleted session, so a
 * revocation in one process reaches every other within milliseconds.
 */
import { NotifiedCache, type NotifiedCacheOptions } from '../db/notified-cache.js';

export const SESSION_CHANGES_CHANNEL = 'roster_session_changed';

export interface SessionState {
  userId: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

export class SessionCache extends NotifiedCache<SessionState> {
  constructor(load: (id: string) => Promise<SessionState | null>, options: NotifiedCacheOptions = {}) {
    super(SESSION_CHANGES_CHANNEL, load, options);
  }
}
