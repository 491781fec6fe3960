/**
 * Request guards: who is calling, and may they. They run in `onRequest`, so
 * authentication and authorization are decided before the body is read or
 * validated, as the contract orders them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, Messages } from '../errors.js';
import type { MembershipCache } from '../orgs/membership-cache.js';
import { type AuthenticatedUser, holds } from '../roles/access.js';
import { type Requirement, SUPERUSER_ROLE } from '../roles/catalogue.js';
import type { SessionCache } from '../sessions/session-cache.js';
import type { Clock } from '../utils/clock.js';
import type { OrgClaim, TokenService } from './tokens.js';
import type { UserCache } from './user-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the guards on authenticated routes: the user with their roles and permissions. */
    currentUser: AuthenticatedUser | null;
    /** The session of the caller's access token. */
    currentSessionId: string | null;
    /** The organization the caller's access token acts for (`org_id`, `org_role`), checked against the membership. */
    currentOrg: OrgClaim | null;
  }
}

/** `Authorization: Bearer <token>`, the scheme in any case. */
function bearerToken(request: FastifyRequest): string | null {
  const match = /^bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Guards {
  requireUser: Guard;
  /** The superuser role; routes declare `config: { permission: 'superuser' }` instead (roles/route-permissions.ts). */
  requireSuperuser: Guard;
  /**
   * A signed-in user holding `requirement`. With `selfParam`, a caller whose own id is
   * that path parameter passes without it (a user reading their own record).
   */
  requirePermission(requirement: Requirement, selfParam?: string): Guard;
}

/** Users and sessions are read through the process's caches: the database is not on every request's path. */
export function createGuards(
  tokens: TokenService,
  users: Pick<UserCache, 'get'>,
  sessions: Pick<SessionCache, 'get'>,
  clock: Clock,
  memberships: Pick<MembershipCache, 'role'>,
): Guards {
  async function requireUser(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request);
    if (!token) throw new HttpError(401, Messages.notAuthenticated, { 'WWW-Authenticate': 'Bearer' });
    const claims = await tokens.verifyAccessToken(token);
    if (!claims) throw new HttpError(403, Messages.badCredentials);
    const { org } = claims;
    const [user, session, membership] = await Promise.all([
      users.get(claims.userId),
      sessions.get(claims.sessionId),
      org ? memberships.role(org.id, claims.userId) : null,
    ]);
    // The contract's order: a missing user, then an inactive one, then a token that no longer counts.
    if (!user) throw new HttpError(404, Messages.userNotFound);
    if (!user.isActive) throw new HttpError(400, Messages.inactiveUser);
    const sessionValid = session?.userId === user.id && !session.revokedAt && session.expiresAt > clock.now();
    if (!sessionValid) throw new HttpError(403, Messages.badCredentials);
    // An organization claim the membership no longer backs (removed, role changed): the token no longer
    // counts, but the session does, so the answer tells the client to refresh rather than to sign in again.
    if (org && membership?.role !== org.role) throw new HttpError(403, Messages.orgClaimChanged);
    request.currentUser = user;
    request.currentSessionId = claims.sessionId;
    request.currentOrg = org ?? null;
  }

  function requirePermission(requirement: Requirement, selfParam?: string): Guard {
    return async (request) => {
      await requireUser(request);
      const user = request.currentUser as AuthenticatedUser;
      const params = request.params as Record<string, string | undefined>;
      if (selfParam && params[selfParam]?.toLowerCase() === user.id) return;
      if (!holds(user, requirement)) throw new HttpError(403, Messages.notEnoughPrivileges);
    };
  }

  return { requireUser, requireSuperuser: requirePermission(SUPERUSER_ROLE), requirePermission };
}

/** The caller's session on a guarded route. */
export function callerSession(request: FastifyRequest): string {
  if (!request.currentSessionId) throw new Error('callerSession() used on a route without an auth guard');
  return request.currentSessionId;
}

/** The caller on a guarded route; the guard has already refused anyone else. */
export function caller(request: FastifyRequest): AuthenticatedUser {
  if (!request.currentUser) throw new Error('caller() used on a route without an auth guard');
  return request.currentUser;
}
