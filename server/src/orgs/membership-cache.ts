/**
 * The per-process cache of memberships that checks an access token's organization
 * claim (`org_id`, `org_role`) on every request without a query. A trigger on
 * "org_member" (migration 0015) NOTIFYs `roster_org_member_changed` with
 * "<org_id>:<user_id>" for every changed or deleted membership, so a removal or a
 * role change reaches every process within milliseconds and the stale claim is
 * refused there (see NotifiedCache for the rules that keep it honest).
 */
import { NotifiedCache, type NotifiedCacheOptions } from '../db/notified-cache.js';
import type { OrgRole } from '../db/schema.js';

export const ORG_MEMBER_CHANGES_CHANNEL = 'roster_org_member_changed';

export interface MembershipState {
  role: OrgRole;
}

export const membershipKey = (orgId: string, userId: string) => `${orgId}:${userId}`.toLowerCase();

export class MembershipCache extends NotifiedCache<MembershipState> {
  constructor(load: (orgId: string, userId: string) => Promise<MembershipState | null>, options: NotifiedCacheOptions = {}) {
    super(
      ORG_MEMBER_CHANGES_CHANNEL,
      (key) => {
        const [orgId = '', userId = ''] = key.split(':');
        return load(orgId, userId);
      },
      options,
    );
  }

  role(orgId: string, userId: string): Promise<MembershipState | null> {
    return this.get(membershipKey(orgId, userId));
  }

  forget(orgId: string, userId: string): void {
    this.invalidate(membershipKey(orgId, userId));
  }
}
