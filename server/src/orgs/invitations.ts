/**
 * Invitations to an organization: a mail with a single-use link (only the token's
 * SHA-256 is stored), valid ORG_INVITATION_DAYS. Inviting an address again replaces
 * its pending invitation. Accepting needs the invitation's address to be the
 * signed-in user's (by normal form); the link proves the mailbox, so accepting also
 * verifies the address.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import type { Database, Executor } from '../db/client.js';
import {
  type OrganizationRow,
  type OrgInvitationRow,
  type OrgRole,
  organizations,
  orgInvitations,
  type UserRow,
  users,
} from '../db/schema.js';
import type { Outbox } from '../email/outbox.js';
import { type BrandInfo, orgInvitationEmail } from '../email/templates.js';
import { normalizeEmail } from '../users/email-address.js';
import type { Clock } from '../utils/clock.js';
import { actingRole, canEdit } from './access.js';
import { conflict, forbidden, notFound, OrgMessages, OrgRefusal } from './errors.js';
import type { OrganizationsService } from './service.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** Longer than any token this module issues; anything longer is not looked up. */
const MAX_TOKEN_LENGTH = 200;

export interface InvitationPreview {
  org: OrganizationRow;
  invitation: OrgInvitationRow;
  /** Whether an account holds the address: the landing page offers sign-in or sign-up. */
  accountExists: boolean;
}

export interface Accepted {
  org: OrganizationRow;
  role: OrgRole;
  /** Whether the user joined now (false: they already were a member, their role unchanged). */
  joined: boolean;
}

export class OrgInvitations {
  constructor(
    private readonly deps: {
      db: Database;
      orgs: OrganizationsService;
      outbox: Outbox;
      audit: AuditLog;
      clock: Clock;
      brand: BrandInfo;
      validDays: number;
      /** False when mail is off: an invitation that cannot be delivered is refused. */
      mailEnabled: boolean;
      /** After an accepted invitation verified the address (the user cache forgets the row). */
      onUserVerified: (userId: string) => void;
      /** The users' change hook (UsersService.events): user.updated and user.verified, in the acceptance's transaction. */
      userChanged: (tx: Executor, before: UserRow, after: UserRow) => Promise<void>;
      /** Just-in-time membership of the address's domain, once accepting has verified it. */
      joinByDomain: (tx: Executor, user: UserRow, origin: RequestOrigin) => Promise<void>;
    },
  ) {}

  async invite(
    actor: UserRow,
    orgId: string,
    input: { email: string; role: OrgRole },
    origin: RequestOrigin,
  ): Promise<OrgInvitationRow> {
    const { db, orgs, clock } = this.deps;
    if (!this.deps.mailEnabled) throw new OrgRefusal('unavailable', OrgMessages.mailOff);
    const normalized = normalizeEmail(input.email);
    return db.transaction(async (tx) => {
      const { org, role } = await orgs.lockFor(tx, actor, orgId);
      const acting = actingRole(actor, role);
      if (!canEdit(acting)) throw forbidden(OrgMessages.adminsOnly);
      if (input.role === 'owner' && acting !== 'owner') throw forbidden(OrgMessages.ownersManageOwners);
      const [invitee] = await tx.select().from(users).where(eq(users.emailNormalized, normalized));
      if (invitee && (await orgs.memberRole(tx, orgId, invitee.id))) throw conflict(OrgMessages.alreadyMember);
      const now = clock.now();
      const replaced = await tx
        .update(orgInvitations)
        .set({ revokedAt: now })
        .where(and(eq(orgInvitations.orgId, orgId), eq(orgInvitations.emailNormalized, normalized), pending()))
        .returning({ id: orgInvitations.id });
      const token = randomBytes(32).toString('base64url');
      const [created] = await tx
        .insert(orgInvitations)
        .values({
          orgId,
          email: input.email,
          emailNormalized: normalized,
          role: input.role,
          tokenHash: hashToken(token),
          invitedBy: actor.id,
          createdAt: now,
          expiresAt: new Date(now.getTime() + this.deps.validDays * 86_400_000),
        })
        .returning();
      const invitation = created as OrgInvitationRow;
      await this.deps.outbox.enqueue(
        tx,
        'org_invitation',
        input.email,
        orgInvitationEmail(this.deps.brand, {
          email: input.email,
          orgName: org.name,
          role: input.role,
          inviter: actor.fullName || actor.email,
          token,
          validDays: this.deps.validDays,
        }),
      );
      await this.deps.audit.record(tx, origin, {
        type: 'org.invitation_sent',
        targetId: invitee?.id ?? null,
        details: { org_id: orgId, invitation_id: invitation.id, email: input.email, role: input.role, replaced: replaced.length },
      });
      return invitation;
    });
  }

  /** Invitations that can still be accepted, newest first (owners and admins). */
  async pending(actor: UserRow, orgId: string): Promise<OrgInvitationRow[]> {
    const { role } = await this.deps.orgs.view(actor, orgId);
    if (!canEdit(actingRole(actor, role))) throw forbidden(OrgMessages.adminsOnly);
    return this.deps.db
      .select()
      .from(orgInvitations)
      .where(and(eq(orgInvitations.orgId, orgId), pending(), gt(orgInvitations.expiresAt, this.deps.clock.now())))
      .orderBy(desc(orgInvitations.createdAt), desc(orgInvitations.id));
  }

  async revoke(actor: UserRow, orgId: string, invitationId: string, origin: RequestOrigin): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const { role } = await this.deps.orgs.lockFor(tx, actor, orgId);
      if (!canEdit(actingRole(actor, role))) throw forbidden(OrgMessages.adminsOnly);
      const [revoked] = await tx
        .update(orgInvitations)
        .set({ revokedAt: this.deps.clock.now() })
        .where(and(eq(orgInvitations.id, invitationId), eq(orgInvitations.orgId, orgId), pending()))
        .returning();
      if (!revoked) throw notFound(OrgMessages.invitationNotFound);
      await this.deps.audit.record(tx, origin, {
        type: 'org.invitation_revoked',
        targetId: null,
        details: { org_id: orgId, invitation_id: revoked.id, email: revoked.email },
      });
    });
  }

  /** What the landing page shows for a link; `null` for a token that cannot be accepted. */
  async preview(token: string): Promise<InvitationPreview | null> {
    const { db } = this.deps;
    const found = await this.usable(db, token);
    if (!found) return null;
    const [account] = await db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.emailNormalized, found.invitation.emailNormalized));
    return { ...found, accountExists: Boolean(account) };
  }

  /**
   * Joins `user` to the invitation's organization. The invitation stays usable when the
   * address is not theirs (the right person can still accept it).
   */
  async accept(user: UserRow, token: string, origin: RequestOrigin): Promise<Accepted> {
    const joined = await this.deps.db.transaction(async (tx) => {
      const found = await this.usable(tx, token, true);
      if (!found) throw new OrgRefusal('invalid', OrgMessages.invitationInvalid);
      if (found.invitation.emailNormalized !== user.emailNormalized) throw forbidden(OrgMessages.invitationOtherEmail);
      return this.join(tx, user, found, origin);
    });
    if (joined.member.isVerified !== user.isVerified) this.deps.onUserVerified(user.id);
    return joined.accepted;
  }

  /**
   * A sign-up that came from an invitation link, in the sign-up's transaction: when the
   * invitation is live and was sent to the new account's address (normal form), the
   * account joins and is verified, since the link reached that mailbox. Otherwise
   * nothing happens (the sign-up goes on as any other, the invitation untouched).
   * Answers the account's row as it is now.
   */
  async acceptAtSignup(tx: Executor, user: UserRow, token: string, origin: RequestOrigin): Promise<UserRow> {
    const found = await this.usable(tx, token, true);
    if (!found || found.invitation.emailNormalized !== user.emailNormalized) return user;
    return (await this.join(tx, user, found, origin)).member;
  }

  /** Spends the invitation and makes `user` a member, verifying their address if it was not. */
  private async join(
    tx: Executor,
    user: UserRow,
    { invitation, org }: { invitation: OrgInvitationRow; org: OrganizationRow },
    origin: RequestOrigin,
  ): Promise<{ accepted: Accepted; member: UserRow }> {
    await tx.update(orgInvitations).set({ acceptedAt: this.deps.clock.now() }).where(eq(orgInvitations.id, invitation.id));
    let member = user;
    if (!user.isVerified) {
      // The link reached this mailbox: that is what verification proves.
      const [row] = await tx
        .update(users)
        .set({ isVerified: true })
        .where(and(eq(users.id, user.id), eq(users.emailNormalized, invitation.emailNormalized)))
        .returning();
      if (row) {
        member = row;
        await this.deps.userChanged(tx, user, row);
        await this.deps.audit.record(
          tx,
          { ...origin, actorId: user.id },
          { type: 'email.verified', targetId: user.id, details: { email: user.email, via: 'org_invitation' } },
        );
      }
    }
    const joined = await this.deps.orgs.addMember(tx, org.id, user.id, invitation.role, origin, 'invitation');
    const role = joined ? invitation.role : ((await this.deps.orgs.memberRole(tx, org.id, user.id)) as OrgRole);
    await this.deps.audit.record(tx, origin, {
      type: 'org.invitation_accepted',
      targetId: user.id,
      details: { org_id: org.id, invitation_id: invitation.id, role, joined },
    });
    if (member !== user) await this.deps.joinByDomain(tx, member, origin);
    return { accepted: { org, role, joined }, member };
  }

  /** A pending, unexpired invitation and its organization (locked with `forUpdate`, so one acceptance wins). */
  private async usable(
    tx: Executor,
    token: string,
    forUpdate = false,
  ): Promise<{ invitation: OrgInvitationRow; org: OrganizationRow } | null> {
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const query = tx
      .select({ invitation: orgInvitations, org: organizations })
      .from(orgInvitations)
      .innerJoin(organizations, eq(organizations.id, orgInvitations.orgId))
      .where(and(eq(orgInvitations.tokenHash, hashToken(token)), pending(), gt(orgInvitations.expiresAt, this.deps.clock.now())));
    const [row] = forUpdate ? await query.for('update', { of: [orgInvitations] }) : await query;
    return row ?? null;
  }
}

function pending() {
  return and(isNull(orgInvitations.acceptedAt), isNull(orgInvitations.revokedAt));
}
