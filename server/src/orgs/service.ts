/**
 * Organizations and their members: creation, lookup, listing, edits, deletion, and
 * the owner rules. Every change that depends on who the owners are locks the
 * organization's row first, so two requests racing (two owners demoting each
 * other) give the answers a sequence would: the last owner always stays.
 */
import { and, asc, count, eq, ilike, or, type SQL, sql } from 'drizzle-orm';
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import { type Database, type Executor, sqlState, UNIQUE_VIOLATION } from '../db/client.js';
import { afterPosition, type KeysetOrder, type KeysetPosition } from '../db/keyset.js';
import { type OrganizationRow, type OrgRole, organizations, orgMembers, sessions, type UserRow, users } from '../db/schema.js';
import { likePattern } from '../users/service.js';
import type { Clock } from '../utils/clock.js';
import { actingRole, canEdit, canManageAllOrganizations } from './access.js';
import { conflict, forbidden, notFound, OrgMessages } from './errors.js';

export interface OrgWithRole {
  org: OrganizationRow;
  /** The caller's own membership role; `null` when they are not a member. */
  role: OrgRole | null;
}

export interface OrgListQuery {
  /** `mine`: the caller's organizations; `all`: every one (orgs:manage). */
  scope: 'mine' | 'all';
  q?: string;
  limit: number;
  after?: KeysetPosition;
}

export interface OrgPage {
  rows: OrgWithRole[];
  count: number;
  next: KeysetPosition | null;
}

export interface MemberRow {
  userId: string;
  email: string;
  fullName: string | null;
  role: OrgRole;
  joinedAt: Date;
}

/** Pages by name, then id (index organization_name_idx). */
export const ORG_ORDER: KeysetOrder = { key: organizations.name, id: organizations.id, descending: false, nullable: false };

/** A member as lists show them: the membership and the user's address and name. */
const MEMBER_COLUMNS = {
  userId: orgMembers.userId,
  email: users.email,
  fullName: users.fullName,
  role: orgMembers.role,
  joinedAt: orgMembers.createdAt,
};

/** Owners first, then admins, then members. */
const ROLE_RANK = sql`CASE ${orgMembers.role} WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END`;

export class OrganizationsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly creation: 'anyone' | 'admins',
  ) {}

  /** Called with (org, user) after a membership changed or ended here, so this process's cache forgets it at once. */
  onMembershipChanged: (orgId: string, userId: string) => void = () => {};

  async create(creator: UserRow, input: { name: string; slug: string }, origin: RequestOrigin): Promise<OrganizationRow> {
    if (this.creation === 'admins' && !canManageAllOrganizations(creator)) throw forbidden(OrgMessages.creationAdminsOnly);
    if (!creator.isVerified && !canManageAllOrganizations(creator)) throw forbidden(OrgMessages.creationNeedsVerifiedEmail);
    return this.createWithOwner(creator.id, input, origin);
  }

  /** An organization with `ownerId` as its first owner (also the CLI's, which no rule of the API limits). */
  async createWithOwner(ownerId: string, input: { name: string; slug: string }, origin: RequestOrigin): Promise<OrganizationRow> {
    try {
      return await this.db.transaction(async (tx) => {
        const now = this.clock.now();
        const [org] = await tx.insert(organizations).values({ name: input.name, slug: input.slug, createdAt: now }).returning();
        const created = org as OrganizationRow;
        await tx.insert(orgMembers).values({ orgId: created.id, userId: ownerId, role: 'owner', createdAt: now });
        await this.audit.record(tx, origin, {
          type: 'org.created',
          targetId: created.id,
          details: { org_id: created.id, name: created.name, slug: created.slug, owner_id: ownerId },
        });
        return created;
      });
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw conflict(OrgMessages.slugTaken);
      throw error;
    }
  }

  async getBySlugOrId(ref: string): Promise<OrganizationRow | null> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
    const [row] = await this.db
      .select()
      .from(organizations)
      .where(isUuid ? eq(organizations.id, ref.toLowerCase()) : eq(organizations.slug, ref));
    return row ?? null;
  }

  async memberRole(tx: Executor, orgId: string, userId: string): Promise<OrgRole | null> {
    const [row] = await tx
      .select({ role: orgMembers.role })
      .from(orgMembers)
      .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId)));
    return row?.role ?? null;
  }

  /** The organization as `viewer` sees it; NotFound when they may not see it (its existence is not told). */
  async view(viewer: UserRow, orgId: string): Promise<OrgWithRole> {
    const [row] = await this.db.select().from(organizations).where(eq(organizations.id, orgId));
    const role = row ? await this.memberRole(this.db, orgId, viewer.id) : null;
    if (!row || !actingRole(viewer, role)) throw notFound();
    return { org: row, role };
  }

  async list(viewer: UserRow, query: OrgListQuery): Promise<OrgPage> {
    if (query.scope === 'all' && !canManageAllOrganizations(viewer)) throw forbidden(OrgMessages.adminsOnly);
    return this.search(query, viewer.id);
  }

  /** The organizations `userId` belongs to, each with their role there (an administrator looking at the account). */
  async ofMember(userId: string, query: Omit<OrgListQuery, 'scope'>): Promise<OrgPage> {
    return this.search({ ...query, scope: 'mine' }, userId);
  }

  /** Every organization for the CLI (no viewer: `role` is null), or those of `viewerId` (scope `mine`). */
  async search(query: OrgListQuery, viewerId: string | null): Promise<OrgPage> {
    // A viewer's own membership, joined to each organization (none without a viewer).
    const mine = and(eq(orgMembers.orgId, organizations.id), viewerId ? eq(orgMembers.userId, viewerId) : sql`false`);
    const conditions: (SQL | undefined)[] = [];
    if (query.q) {
      const pattern = likePattern(query.q);
      conditions.push(or(ilike(organizations.name, pattern), ilike(organizations.slug, pattern)));
    }
    if (query.scope === 'mine') conditions.push(sql`${orgMembers.userId} IS NOT NULL`);
    const where = and(...conditions);
    const base = () =>
      this.db.select({ org: organizations, role: orgMembers.role }).from(organizations).leftJoin(orgMembers, mine);
    const [found, [total]] = await Promise.all([
      base()
        .where(query.after ? and(where, afterPosition(ORG_ORDER, query.after)) : where)
        .orderBy(asc(organizations.name), asc(organizations.id))
        .limit(query.limit + 1),
      this.db.select({ value: count() }).from(organizations).leftJoin(orgMembers, mine).where(where),
    ]);
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    return {
      rows: page.map((row) => ({ org: row.org, role: row.role ?? null })),
      count: Number(total?.value ?? 0),
      next: found.length > query.limit && last ? { key: last.org.name, id: last.org.id } : null,
    };
  }

  /** Owners and admins rename; the slug is unique across organizations. */
  async update(
    actor: UserRow,
    orgId: string,
    changes: { name?: string; slug?: string },
    origin: RequestOrigin,
  ): Promise<OrgWithRole> {
    try {
      return await this.db.transaction(async (tx) => {
        const { role } = await this.lockFor(tx, actor, orgId);
        if (!canEdit(actingRole(actor, role))) throw forbidden(OrgMessages.adminsOnly);
        const values: Partial<typeof organizations.$inferInsert> = {};
        if (changes.name !== undefined) values.name = changes.name;
        if (changes.slug !== undefined) values.slug = changes.slug;
        const [before] = await tx.select().from(organizations).where(eq(organizations.id, orgId));
        if (Object.keys(values).length === 0) return { org: before as OrganizationRow, role };
        const [updated] = await tx.update(organizations).set(values).where(eq(organizations.id, orgId)).returning();
        await this.audit.record(tx, origin, {
          type: 'org.updated',
          targetId: orgId,
          details: { org_id: orgId, changed: Object.keys(values), ...values },
        });
        return { org: updated as OrganizationRow, role };
      });
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw conflict(OrgMessages.slugTaken);
      throw error;
    }
  }

  /** Only owners delete; members, invitations and domains go with it (foreign keys' cascade). */
  async delete(actor: UserRow, orgId: string, origin: RequestOrigin): Promise<void> {
    const memberIds = await this.db.transaction(async (tx) => {
      const { org, role } = await this.lockFor(tx, actor, orgId);
      if (actingRole(actor, role) !== 'owner') throw forbidden(OrgMessages.ownersOnly);
      const members = await tx.select({ userId: orgMembers.userId }).from(orgMembers).where(eq(orgMembers.orgId, orgId));
      await tx.delete(organizations).where(eq(organizations.id, orgId));
      await this.audit.record(tx, origin, {
        type: 'org.deleted',
        targetId: orgId,
        details: { org_id: orgId, name: org.name, slug: org.slug, members: members.length },
      });
      return members.map((member) => member.userId);
    });
    for (const userId of memberIds) this.onMembershipChanged(orgId, userId);
  }

  async members(
    viewer: UserRow,
    orgId: string,
    page: { skip: number; limit: number },
  ): Promise<{ rows: MemberRow[]; count: number }> {
    await this.view(viewer, orgId);
    const [rows, [total]] = await Promise.all([
      this.db
        .select(MEMBER_COLUMNS)
        .from(orgMembers)
        .innerJoin(users, eq(users.id, orgMembers.userId))
        .where(eq(orgMembers.orgId, orgId))
        .orderBy(ROLE_RANK, asc(users.emailNormalized), asc(orgMembers.userId))
        .offset(page.skip)
        .limit(page.limit),
      this.db.select({ value: count() }).from(orgMembers).where(eq(orgMembers.orgId, orgId)),
    ]);
    return { rows, count: Number(total?.value ?? 0) };
  }

  /**
   * Owners and admins change roles; only owners make an owner or change one. The last
   * owner cannot be demoted.
   */
  async changeRole(actor: UserRow, orgId: string, userId: string, role: OrgRole, origin: RequestOrigin): Promise<MemberRow> {
    const changed = await this.db.transaction(async (tx) => {
      const { role: actorRole } = await this.lockFor(tx, actor, orgId);
      const acting = actingRole(actor, actorRole);
      if (!canEdit(acting)) throw forbidden(OrgMessages.adminsOnly);
      const current = await this.memberRole(tx, orgId, userId);
      if (!current) throw notFound(OrgMessages.memberNotFound);
      if ((role === 'owner' || current === 'owner') && acting !== 'owner') throw forbidden(OrgMessages.ownersManageOwners);
      if (current === 'owner' && role !== 'owner') await this.keepAnOwner(tx, orgId);
      if (current !== role) {
        await tx
          .update(orgMembers)
          .set({ role })
          .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId)));
        await this.audit.record(tx, origin, {
          type: 'org.member_role_changed',
          targetId: userId,
          details: { org_id: orgId, from: current, to: role },
        });
      }
      return this.member(tx, orgId, userId);
    });
    this.onMembershipChanged(orgId, userId);
    return changed;
  }

  /**
   * Owners and admins remove members (only owners remove an owner); anyone may remove
   * themselves (leave). The last owner can do neither.
   */
  async removeMember(actor: UserRow, orgId: string, userId: string, origin: RequestOrigin): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { role: actorRole } = await this.lockFor(tx, actor, orgId);
      const self = userId === actor.id;
      const acting = actingRole(actor, actorRole);
      const current = await this.memberRole(tx, orgId, userId);
      if (!current) throw notFound(OrgMessages.memberNotFound);
      if (!self) {
        if (!canEdit(acting)) throw forbidden(OrgMessages.adminsOnly);
        if (current === 'owner' && acting !== 'owner') throw forbidden(OrgMessages.ownersManageOwners);
      }
      if (current === 'owner') await this.keepAnOwner(tx, orgId);
      await tx.delete(orgMembers).where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId)));
      // The sessions that chose this organization stop asking for it at their next refresh.
      await tx
        .update(sessions)
        .set({ activeOrgId: null })
        .where(and(eq(sessions.userId, userId), eq(sessions.activeOrgId, orgId)));
      await this.audit.record(tx, origin, {
        type: 'org.member_removed',
        targetId: userId,
        details: { org_id: orgId, role: current, left: self },
      });
    });
    this.onMembershipChanged(orgId, userId);
  }

  /**
   * Adds a member in the caller's transaction (an accepted invitation, a verified domain,
   * the CLI); `false` if they already were one (their role is kept).
   */
  async addMember(
    tx: Executor,
    orgId: string,
    userId: string,
    role: OrgRole,
    origin: RequestOrigin,
    via: 'invitation' | 'domain' | 'cli',
  ): Promise<boolean> {
    const added = await tx
      .insert(orgMembers)
      .values({ orgId, userId, role, createdAt: this.clock.now() })
      .onConflictDoNothing()
      .returning({ userId: orgMembers.userId });
    if (added.length === 0) return false;
    await this.audit.record(tx, origin, { type: 'org.member_added', targetId: userId, details: { org_id: orgId, role, via } });
    return true;
  }

  /** The organization's row, locked for the rest of the transaction, and the actor's role; NotFound if they may not see it. */
  async lockFor(tx: Executor, actor: UserRow, orgId: string): Promise<{ org: OrganizationRow; role: OrgRole | null }> {
    const [org] = await tx.select().from(organizations).where(eq(organizations.id, orgId)).for('update');
    const role = org ? await this.memberRole(tx, orgId, actor.id) : null;
    if (!org || !actingRole(actor, role)) throw notFound();
    return { org, role };
  }

  private async member(tx: Executor, orgId: string, userId: string): Promise<MemberRow> {
    const [row] = await tx
      .select(MEMBER_COLUMNS)
      .from(orgMembers)
      .innerJoin(users, eq(users.id, orgMembers.userId))
      .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.userId, userId)));
    return row as MemberRow;
  }

  /** Refuses a change that would leave no owner (the organization's row is locked by the caller). */
  private async keepAnOwner(tx: Executor, orgId: string): Promise<void> {
    const [owners] = await tx
      .select({ value: count() })
      .from(orgMembers)
      .where(and(eq(orgMembers.orgId, orgId), eq(orgMembers.role, 'owner')));
    if (Number(owners?.value ?? 0) <= 1) throw conflict(OrgMessages.lastOwner);
  }
}
