/**
 * The active organization of a session: chosen with POST /users/me/active-org, kept
 * on the session so every refresh carries it on, and put into the access token as
 * `org_id` and `org_role`. The claim is only as good as the membership: the guards
 * check it on every request (through the notified MembershipCache), and a refresh
 * drops it once the membership is gone.
 */

import type { OrgClaim } from '../auth/tokens.js';
import type { Database } from '../db/client.js';
import { FOREIGN_KEY_VIOLATION, sqlState } from '../db/client.js';
import type { SessionRow, UserRow } from '../db/schema.js';
import type { SessionsService } from '../sessions/service.js';
import { notFound } from './errors.js';
import type { OrganizationsService } from './service.js';

export class ActiveOrganizations {
  constructor(
    private readonly db: Database,
    private readonly orgs: OrganizationsService,
    private readonly sessions: SessionsService,
  ) {}

  /** The claim a session's new access token carries: its active organization, if the user is still a member. */
  async claimFor(session: Pick<SessionRow, 'userId' | 'activeOrgId'>): Promise<OrgClaim | null> {
    if (!session.activeOrgId) return null;
    const role = await this.orgs.memberRole(this.db, session.activeOrgId, session.userId);
    return role ? { id: session.activeOrgId, role } : null;
  }

  /**
   * Makes `orgId` (or none) the session's active organization and gives it a new refresh
   * token; `null` if the session no longer counts. Only a member can choose an organization
   * (orgs:manage is not membership: the claim is checked against the membership).
   */
  async choose(
    user: UserRow,
    sessionId: string,
    orgId: string | null,
  ): Promise<{ session: SessionRow; refreshToken: string; claim: OrgClaim | null } | null> {
    const role = orgId ? await this.orgs.memberRole(this.db, orgId, user.id) : null;
    if (orgId && !role) throw notFound();
    try {
      const reissued = await this.sessions.reissue(sessionId, orgId);
      if (!reissued) return null;
      return { ...reissued, claim: orgId && role ? { id: orgId, role } : null };
    } catch (error) {
      // The organization was deleted in between.
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw notFound();
      throw error;
    }
  }
}
