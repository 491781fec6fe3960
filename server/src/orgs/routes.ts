/**
 * /orgs, /invitations, /users/me/active-org and /users/{id}/orgs: organizations, their
 * members, invitations and domains, the organization a session acts for, and a user's
 * organizations for administrators. Routes only translate HTTP; the rules are in the
 * services (service.ts, invitations.ts, domains.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { caller, callerSession } from '../auth/guards.js';
import type { OrganizationRow, OrgInvitationRow, OrgRole } from '../db/schema.js';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { Cursor, decodeCursor, encodeCursor, NextCursor } from '../http/cursor.js';
import { requestOrigin } from '../http/origin.js';
import { Email, errorResponses, Message, NonEmptyText, Paging, Uuid } from '../http/schemas.js';
import { noStore, sendTokens, TokenResponse } from '../sessions/token-response.js';
import { MAX_DOMAINS } from './domains.js';
import { OrgRefusal, type OrgRefusalKind } from './errors.js';
import type { MemberRow } from './service.js';

const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')], {
  description:
    'owner: everything, including deleting the organization and managing owners; admin: edit, invite and manage members; member: belongs',
});
const NullableRole = Type.Union([Role, Type.Null()], { description: "The caller's role; null when they are not a member" });
const OrgName = Type.String({ minLength: 1, maxLength: 255, pattern: '\\S' });
const Slug = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$',
  description: 'Lower-case letters, digits and inner hyphens; unique',
  examples: ['acme'],
});

const OrgPublic = Type.Object(
  { id: Uuid, name: Type.String(), slug: Type.String(), created_at: Type.String({ format: 'date-time' }), role: NullableRole },
  { $id: 'OrgPublic' },
);
const OrgsPublic = Type.Object(
  { data: Type.Array(Type.Ref(OrgPublic)), count: Type.Integer(), next_cursor: NextCursor },
  { $id: 'OrgsPublic' },
);
const OrgMemberPublic = Type.Object(
  {
    user_id: Uuid,
    email: Type.String(),
    full_name: Type.Union([Type.String(), Type.Null()]),
    role: Role,
    joined_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'OrgMemberPublic' },
);
const OrgMembersPublic = Type.Object(
  { data: Type.Array(Type.Ref(OrgMemberPublic)), count: Type.Integer() },
  { $id: 'OrgMembersPublic' },
);
const OrgInvitationPublic = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    role: Role,
    invited_by: Type.Union([Uuid, Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
    expires_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'OrgInvitationPublic' },
);
const OrgInvitationsPublic = Type.Object(
  { data: Type.Array(Type.Ref(OrgInvitationPublic)), count: Type.Integer() },
  { $id: 'OrgInvitationsPublic' },
);
const InvitationPreview = Type.Object(
  {
    organization: Type.Object({ id: Uuid, name: Type.String(), slug: Type.String() }),
    email: Type.String({ description: 'The address the invitation was sent to: only its account can accept' }),
    role: Role,
    expires_at: Type.String({ format: 'date-time' }),
    account_exists: Type.Boolean({ description: 'Whether to sign in (true) or sign up (false) before accepting' }),
  },
  { $id: 'InvitationPreview' },
);
const Domains = Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
  maxItems: MAX_DOMAINS,
  description: 'Domain names, e.g. ["example.com"]',
});

const OrgParams = Type.Object({ org_id: Uuid });
const MemberParams = Type.Object({ org_id: Uuid, user_id: Uuid });
const InvitationParams = Type.Object({ org_id: Uuid, invitation_id: Uuid });

const STATUS: Record<OrgRefusalKind, number> = { not_found: 404, forbidden: 403, conflict: 409, invalid: 400, unavailable: 503 };

/** A service's refusal as its HTTP answer; anything else unchanged. */
function answer(error: unknown): never {
  if (error instanceof OrgRefusal) throw new HttpError(STATUS[error.kind], error.detail);
  throw error;
}

const toOrgPublic = (org: OrganizationRow, role: OrgRole | null) => ({
  id: org.id,
  name: org.name,
  slug: org.slug,
  created_at: org.createdAt.toISOString(),
  role,
});
const toMemberPublic = (member: MemberRow) => ({
  user_id: member.userId,
  email: member.email,
  full_name: member.fullName,
  role: member.role,
  joined_at: member.joinedAt.toISOString(),
});
const toInvitationPublic = (invitation: OrgInvitationRow) => ({
  id: invitation.id,
  email: invitation.email,
  role: invitation.role,
  invited_by: invitation.invitedBy,
  created_at: invitation.createdAt.toISOString(),
  expires_at: invitation.expiresAt.toISOString(),
});
/** The cursor order of a user's organizations (by name, as `orgs:mine`, but not interchangeable with it). */
const USER_ORGS_ORDER = 'orgs:member';
const orgIdOf = (params: { org_id: string }) => params.org_id.toLowerCase();

export const orgsRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { guards, orgs, orgInvitations: invitations, orgDomains: domains, activeOrgs, tokens, config } = ctx;
  for (const schema of [OrgPublic, OrgMemberPublic, OrgInvitationPublic]) app.addSchema(schema);
  const tags = ['organizations'];

  app.post(
    '/orgs',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'Create an organization; the caller becomes its owner',
        description:
          'Any user with a verified email (ORG_CREATION=anyone, the default), or only holders of orgs:manage ' +
          '(ORG_CREATION=admins). A slug already taken is `409`.',
        body: Type.Object({ name: OrgName, slug: Slug }),
        response: { 200: Type.Ref(OrgPublic), ...errorResponses(401, 403, 409, 422) },
      },
    },
    async (request) => {
      const org = await orgs
        .create(caller(request), { name: request.body.name.trim(), slug: request.body.slug }, requestOrigin(request))
        .catch(answer);
      return toOrgPublic(org, 'owner');
    },
  );

  app.get(
    '/orgs',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: "The caller's organizations with their role (or every one, for orgs:manage)",
        description:
          '`scope=all` lists every organization (holders of orgs:manage; `role` is null where the caller is not a ' +
          'member). `q` matches a substring of the name or slug. Ordered by name; pass `next_cursor` as `cursor` for the next page.',
        querystring: Type.Object({
          scope: Type.Union([Type.Literal('mine'), Type.Literal('all')], { default: 'mine' }),
          q: Type.Optional(Type.String({ maxLength: 255 })),
          limit: Paging.limit,
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: OrgsPublic, ...errorResponses(401, 403, 422) },
      },
    },
    async (request) => {
      const { scope, q, limit, cursor } = request.query;
      const order = `orgs:${scope}`;
      const page = await orgs
        .list(caller(request), {
          scope,
          q: q?.trim() || undefined,
          limit,
          after: cursor ? decodeCursor(cursor, order) : undefined,
        })
        .catch(answer);
      return {
        data: page.rows.map((row) => toOrgPublic(row.org, row.role)),
        count: page.count,
        next_cursor: page.next ? encodeCursor(order, page.next) : null,
      };
    },
  );

  app.get(
    '/users/:user_id/orgs',
    {
      config: { permission: 'users:read' },
      schema: {
        tags,
        summary: 'The organizations a user belongs to, with their role there',
        description:
          "`role` is the user's membership role (not the caller's). Ordered by name; pass `next_cursor` as `cursor` " +
          'for the next page.',
        params: Type.Object({ user_id: Uuid }),
        querystring: Type.Object({ limit: Paging.limit, cursor: Type.Optional(Cursor) }),
        response: { 200: OrgsPublic, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const userId = request.params.user_id.toLowerCase();
      if (!(await ctx.users.getById(userId))) throw new HttpError(404, Messages.userNotFound);
      const { limit, cursor } = request.query;
      const page = await orgs.ofMember(userId, { limit, after: cursor ? decodeCursor(cursor, USER_ORGS_ORDER) : undefined });
      return {
        data: page.rows.map((row) => toOrgPublic(row.org, row.role)),
        count: page.count,
        next_cursor: page.next ? encodeCursor(USER_ORGS_ORDER, page.next) : null,
      };
    },
  );

  app.get(
    '/orgs/:org_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'An organization the caller belongs to',
        params: OrgParams,
        response: { 200: Type.Ref(OrgPublic), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { org, role } = await orgs.view(caller(request), orgIdOf(request.params)).catch(answer);
      return toOrgPublic(org, role);
    },
  );

  app.patch(
    '/orgs/:org_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'Rename an organization or change its slug (owners and admins)',
        params: OrgParams,
        body: Type.Object({ name: Type.Optional(OrgName), slug: Type.Optional(Slug) }),
        response: { 200: Type.Ref(OrgPublic), ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const { name, slug } = request.body;
      const { org, role } = await orgs
        .update(caller(request), orgIdOf(request.params), { name: name?.trim(), slug }, requestOrigin(request))
        .catch(answer);
      return toOrgPublic(org, role);
    },
  );

  app.delete(
    '/orgs/:org_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'Delete an organization with its members, invitations and domains (owners)',
        params: OrgParams,
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      await orgs.delete(caller(request), orgIdOf(request.params), requestOrigin(request)).catch(answer);
      return { message: 'Organization deleted' };
    },
  );

  app.get(
    '/orgs/:org_id/members',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: "An organization's members, owners first",
        params: OrgParams,
        querystring: Type.Object(Paging),
        response: { 200: OrgMembersPublic, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const page = await orgs.members(caller(request), orgIdOf(request.params), request.query).catch(answer);
      return { data: page.rows.map(toMemberPublic), count: page.count };
    },
  );

  app.patch(
    '/orgs/:org_id/members/:user_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: "Change a member's role",
        description:
          'Owners and admins; only owners make an owner or change one. The last owner cannot be demoted (`409`). ' +
          'Access tokens that claim the old role stop working at once; a refresh gives the new one.',
        params: MemberParams,
        body: Type.Object({ role: Role }),
        response: { 200: Type.Ref(OrgMemberPublic), ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const member = await orgs
        .changeRole(
          caller(request),
          orgIdOf(request.params),
          request.params.user_id.toLowerCase(),
          request.body.role,
          requestOrigin(request),
        )
        .catch(answer);
      return toMemberPublic(member);
    },
  );

  app.delete(
    '/orgs/:org_id/members/:user_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'Remove a member, or leave (your own id)',
        description:
          'Owners and admins remove members; only owners remove an owner; anyone may leave. The last owner can ' +
          'neither leave nor be removed (`409`). Access tokens that claim the organization stop working at once.',
        params: MemberParams,
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const me = caller(request);
      const userId = request.params.user_id.toLowerCase();
      await orgs.removeMember(me, orgIdOf(request.params), userId, requestOrigin(request)).catch(answer);
      return { message: userId === me.id ? 'You left the organization' : 'Member removed' };
    },
  );

  app.post(
    '/orgs/:org_id/invitations',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'Invite someone by email (owners and admins)',
        description:
          `Mails a single-use link valid ORG_INVITATION_DAYS (now ${config.orgInvitationDays}). Inviting an address ` +
          'again replaces its pending invitation. Only owners invite owners. An existing member is `409`.',
        params: OrgParams,
        body: Type.Object({ email: Email, role: Type.Optional(Role) }),
        response: { 200: Type.Ref(OrgInvitationPublic), ...errorResponses(401, 403, 404, 409, 422, 503) },
      },
    },
    async (request) => {
      const invitation = await invitations
        .invite(
          caller(request),
          orgIdOf(request.params),
          { email: request.body.email, role: request.body.role ?? 'member' },
          requestOrigin(request),
        )
        .catch(answer);
      return toInvitationPublic(invitation);
    },
  );

  app.get(
    '/orgs/:org_id/invitations',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'Pending invitations, newest first (owners and admins)',
        params: OrgParams,
        response: { 200: OrgInvitationsPublic, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const rows = await invitations.pending(caller(request), orgIdOf(request.params)).catch(answer);
      return { data: rows.map(toInvitationPublic), count: rows.length };
    },
  );

  app.delete(
    '/orgs/:org_id/invitations/:invitation_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'Revoke a pending invitation (owners and admins)',
        params: InvitationParams,
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      await invitations
        .revoke(caller(request), orgIdOf(request.params), request.params.invitation_id.toLowerCase(), requestOrigin(request))
        .catch(answer);
      return { message: 'Invitation revoked' };
    },
  );

  app.post(
    '/invitations/preview',
    {
      schema: {
        tags,
        summary: 'What an invitation link is for (no sign-in needed)',
        description: 'For the landing page: the organization, the invited address, and whether it has an account.',
        body: Type.Object({ token: NonEmptyText }),
        response: { 200: InvitationPreview, ...errorResponses(400, 422) },
      },
    },
    async (request) => {
      const found = await invitations.preview(request.body.token);
      if (!found) throw new HttpError(400, 'Invalid or expired invitation');
      const { org, invitation } = found;
      return {
        organization: { id: org.id, name: org.name, slug: org.slug },
        email: invitation.email,
        role: invitation.role,
        expires_at: invitation.expiresAt.toISOString(),
        account_exists: found.accountExists,
      };
    },
  );

  app.post(
    '/invitations/accept',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: 'Accept an invitation as the signed-in user',
        description:
          "The invitation's address must be the caller's (compared by normal form; `403` otherwise). Accepting " +
          'verifies the address. An unknown, used, revoked or expired invitation is `400`.',
        body: Type.Object({ token: NonEmptyText }),
        response: { 200: Type.Ref(OrgPublic), ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const accepted = await invitations.accept(caller(request), request.body.token, requestOrigin(request)).catch(answer);
      return toOrgPublic(accepted.org, accepted.role);
    },
  );

  app.get(
    '/orgs/:org_id/domains',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: "An organization's verified domains",
        params: OrgParams,
        response: { 200: Domains, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => domains.list(caller(request), orgIdOf(request.params)).catch(answer),
  );

  app.put(
    '/orgs/:org_id/domains',
    {
      onRequest: guards.requireUser,
      schema: {
        tags,
        summary: "Replace an organization's verified domains (owners)",
        description:
          'A user who verifies an email address at one of them joins as a member. A domain belongs to one organization ' +
          'at most (`409`). An owner may claim only the domain of their own verified address; holders of orgs:manage any.',
        params: OrgParams,
        body: Domains,
        response: { 200: Domains, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      domains.replace(caller(request), orgIdOf(request.params), request.body, requestOrigin(request)).catch(answer),
  );

  app.post(
    '/users/me/active-org',
    {
      onRequest: [noStore, guards.requireUser],
      schema: {
        tags,
        summary: 'Choose the organization this session acts for',
        description:
          'Answers a fresh token pair: the access token carries `org_id` and `org_role` (none for `null`), and so do ' +
          'those refreshes give. Removal from the organization, or a role change, ends the claim in every process ' +
          'within moments: a token that still carries it is refused (`403`), and the next refresh drops it.',
        body: Type.Object({ org_id: Type.Union([Uuid, Type.Null()]) }),
        response: { 200: TokenResponse, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const orgId = request.body.org_id?.toLowerCase() ?? null;
      const chosen = await activeOrgs.choose(caller(request), callerSession(request), orgId).catch(answer);
      if (!chosen) throw new HttpError(403, Messages.badCredentials);
      return sendTokens(
        request,
        reply,
        tokens,
        {
          userId: chosen.session.userId,
          sessionId: chosen.session.id,
          refreshToken: chosen.refreshToken,
          sessionExpiresAt: chosen.session.expiresAt,
          amr: chosen.session.amr,
          aal: chosen.session.aal,
          // The guard read the caller with their roles (the notified user cache), as every token path does.
          roles: caller(request).roles,
          org: chosen.claim,
        },
        config.cookieSecure,
      );
    },
  );
};
