/**
 * Verified domains: a user who verifies an email address at one of an organization's
 * domains joins it as a member (just-in-time membership). A domain belongs to one
 * organization at most (the primary key decides races). Claiming a domain pulls in
 * everyone who has an address there, so an owner may only claim the domain of their
 * own verified address; holders of orgs:manage may claim any.
 */
import { and, asc, eq, inArray, ne, notInArray } from 'drizzle-orm';
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import { type Database, type Executor, sqlState, UNIQUE_VIOLATION } from '../db/client.js';
import { orgDomains, type UserRow } from '../db/schema.js';
import { normalizeEmail } from '../users/email-address.js';
import type { Clock } from '../utils/clock.js';
import { actingRole, canManageAllOrganizations } from './access.js';
import { conflict, forbidden, OrgMessages, OrgRefusal } from './errors.js';
import type { OrganizationsService } from './service.js';

/** At most this many domains per organization. */
export const MAX_DOMAINS = 50;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The domain in the form addresses store it (IDNA ASCII, lower case), or `null` if it is not a domain name. */
export function normalizeDomain(text: string): string | null {
  const trimmed = text.trim().replace(/\.$/, '');
  if (!trimmed || trimmed.includes('@')) return null;
  const domain = normalizeEmail(`x@${trimmed}`).slice(2);
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  return domain;
}

const domainOf = (user: UserRow) => (user.emailNormalized ?? '').split('@').pop() ?? '';

export class OrgDomains {
  constructor(
    private readonly db: Database,
    private readonly orgs: OrganizationsService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async list(viewer: UserRow, orgId: string): Promise<string[]> {
    await this.orgs.view(viewer, orgId);
    const rows = await this.db
      .select({ domain: orgDomains.domain })
      .from(orgDomains)
      .where(eq(orgDomains.orgId, orgId))
      .orderBy(asc(orgDomains.domain));
    return rows.map((row) => row.domain);
  }

  /** Replaces the organization's domains (owners). */
  async replace(actor: UserRow, orgId: string, requested: string[], origin: RequestOrigin): Promise<string[]> {
    const wanted = [...new Set(requested.map((text) => normalizeDomain(text) ?? invalidDomain(text)))].sort();
    if (!canManageAllOrganizations(actor)) {
      const own = actor.isVerified ? domainOf(actor) : null;
      const unproven = wanted.find((domain) => domain !== own);
      if (unproven) throw forbidden(OrgMessages.domainNotProven(unproven));
    }
    try {
      return await this.db.transaction(async (tx) => {
        const { role } = await this.orgs.lockFor(tx, actor, orgId);
        if (actingRole(actor, role) !== 'owner') throw forbidden(OrgMessages.ownersOnly);
        if (wanted.length > 0) {
          const [taken] = await tx
            .select({ domain: orgDomains.domain })
            .from(orgDomains)
            .where(and(inArray(orgDomains.domain, wanted), ne(orgDomains.orgId, orgId)))
            .limit(1);
          if (taken) throw conflict(OrgMessages.domainTaken(taken.domain));
        }
        const removed = await tx
          .delete(orgDomains)
          .where(and(eq(orgDomains.orgId, orgId), wanted.length > 0 ? notInArray(orgDomains.domain, wanted) : undefined))
          .returning({ domain: orgDomains.domain });
        const kept = await tx.select({ domain: orgDomains.domain }).from(orgDomains).where(eq(orgDomains.orgId, orgId));
        const fresh = wanted.filter((domain) => !kept.some((row) => row.domain === domain));
        // No ON CONFLICT: a domain another organization claimed meanwhile must fail, not be skipped.
        const added =
          fresh.length === 0
            ? []
            : await tx
                .insert(orgDomains)
                .values(fresh.map((domain) => ({ domain, orgId, createdAt: this.clock.now() })))
                .returning({ domain: orgDomains.domain });
        if (added.length > 0 || removed.length > 0) {
          await this.audit.record(tx, origin, {
            type: 'org.domains_changed',
            targetId: orgId,
            details: { org_id: orgId, added: added.map((row) => row.domain), removed: removed.map((row) => row.domain) },
          });
        }
        return wanted;
      });
    } catch (error) {
      // Another organization claimed one of them between the check and the insert.
      if (sqlState(error) === UNIQUE_VIOLATION) throw conflict(OrgMessages.domainTaken(wanted.join(', ')));
      throw error;
    }
  }

  /** In the transaction that verified `user`'s address: joins the organization of its domain, if any. */
  async joinByDomain(tx: Executor, user: UserRow, origin: RequestOrigin): Promise<void> {
    if (!user.isVerified) return;
    const [claimed] = await tx
      .select({ orgId: orgDomains.orgId })
      .from(orgDomains)
      .where(eq(orgDomains.domain, domainOf(user)));
    if (!claimed) return;
    await this.orgs.addMember(tx, claimed.orgId, user.id, 'member', { ...origin, actorId: origin.actorId ?? user.id }, 'domain');
  }
}

function invalidDomain(text: string): never {
  throw new OrgRefusal('invalid', OrgMessages.domainInvalid(text.slice(0, 100)));
}
