/**
 * Whether a session proved its user's password recently enough for a change that
 * could take over the account (a new email). A refresh does not count: a stolen
 * token must not be able to make itself recent.
 */
import type { SessionsService } from '../sessions/service.js';
import type { Clock } from '../utils/clock.js';

export class RecentSignIn {
  constructor(
    private readonly sessions: Pick<SessionsService, 'authenticatedAt'>,
    private readonly clock: Clock,
    /** REAUTH_WINDOW_MINUTES; 0: never recent enough, the password is always asked for. */
    private readonly windowMinutes: number,
  ) {}

  async isRecent(sessionId: string): Promise<boolean> {
    if (this.windowMinutes === 0) return false;
    const at = await this.sessions.authenticatedAt(sessionId);
    return at !== null && this.clock.now().getTime() - at.getTime() <= this.windowMinutes * 60_000;
  }
}
