/** Refresh, logout, and the lists of sessions (devices) a user or an admin can end. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { caller, callerSession } from '../auth/guards.js';
import type { SessionRow } from '../db/schema.js';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { requestOrigin } from '../http/origin.js';
import { errorResponses, Message, NonEmptyText, Uuid } from '../http/schemas.js';
import { requireManageable } from '../roles/refusals.js';
import { clearRefreshCookie, noStore, REFRESH_COOKIE, sendTokens, TokenResponse } from './token-response.js';

const SessionPublic = Type.Object(
  {
    id: Uuid,
    created_at: Type.String({ format: 'date-time' }),
    last_used_at: Type.String({ format: 'date-time', description: 'The last refresh (not the last request)' }),
    expires_at: Type.String({ format: 'date-time' }),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    current: Type.Boolean({ description: "Whether this is the caller's own session" }),
  },
  { $id: 'SessionPublic' },
);
const SessionsPublic = Type.Object(
  { data: Type.Array(Type.Ref(SessionPublic)), count: Type.Integer() },
  { $id: 'SessionsPublic' },
);

function toSessionPublic(session: SessionRow, currentId: string | null) {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    user_agent: session.userAgent,
    ip: session.ip,
    current: session.id === currentId,
  };
}

export const sessionsRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { sessions, tokens, guards, audit, users, db, config } = ctx;
  app.addSchema(SessionPublic);

  app.post(
    '/login/refresh-token',
    {
      onRequest: noStore,
      // The web app posts no body at all: its token is in the cookie.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['login'],
        summary: 'Exchange a refresh token for a new pair',
        description:
          'Form (`grant_type=refresh_token&refresh_token=…`) or JSON. The web app sends no body: its refresh token is in an ' +
          'HttpOnly cookie. Each refresh token works once; presenting a used one again (after a short grace window for ' +
          'concurrent refreshes) revokes the whole session.',
        body: Type.Object({
          grant_type: Type.Optional(Type.String({ pattern: '^refresh_token$' })),
          refresh_token: Type.Optional(NonEmptyText),
        }),
        response: { 200: TokenResponse, ...errorResponses(400, 422) },
      },
    },
    async (request, reply) => {
      const presented = request.body.refresh_token ?? request.cookies[REFRESH_COOKIE];
      // No token at all is the signed-out web app checking for a session on each page load: not a refusal.
      if (!presented) throw new HttpError(400, Messages.invalidRefreshToken);
      const result = await sessions.refresh(presented);
      // Anyone can send bad tokens in bulk: sampled (a replay of a real one is recorded in full below).
      // A real token of an ended session (or an inactive user) names that user as the target; never the token.
      if (result.outcome === 'invalid' && (await ctx.auditSampler.allow('refresh.refused'))) {
        await audit.record(
          db,
          { ...requestOrigin(request), actorId: null },
          { type: 'refresh.refused', targetId: result.user?.id ?? null, details: { reason: 'invalid' } },
        );
      }
      if (result.outcome === 'reuse-detected') {
        await audit.record(
          db,
          { ...requestOrigin(request), actorId: null },
          {
            type: 'refresh.reuse_detected',
            targetId: result.user.id,
            details: { session_id: result.session.id },
          },
        );
      }
      if (result.outcome !== 'ok') {
        clearRefreshCookie(reply, config.cookieSecure);
        throw new HttpError(400, Messages.invalidRefreshToken);
      }
      return sendTokens(
        request,
        reply,
        tokens,
        {
          userId: result.user.id,
          sessionId: result.session.id,
          refreshToken: result.refreshToken,
          sessionExpiresAt: result.session.expiresAt,
          amr: result.session.amr,
          aal: result.session.aal,
          roles: await ctx.tokenRoles(result.user),
          // The session's active organization, while the user is still a member.
          org: await ctx.activeOrgs.claimFor(result.session),
        },
        config.cookieSecure,
      );
    },
  );

  app.post(
    '/logout',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['login'],
        summary: 'End the current session',
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const me = caller(request);
      const sessionId = callerSession(request);
      await db.transaction(async (tx) => {
        await sessions.revoke(tx, me.id, sessionId, 'logout');
        await audit.record(tx, requestOrigin(request), { type: 'logout', targetId: me.id, details: { session_id: sessionId } });
      });
      clearRefreshCookie(reply, config.cookieSecure);
      return { message: Messages.loggedOut };
    },
  );

  app.get(
    '/users/me/sessions',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['sessions'],
        summary: 'My active sessions (devices)',
        response: { 200: SessionsPublic, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const rows = await sessions.listActive(caller(request).id);
      return { data: rows.map((row) => toSessionPublic(row, callerSession(request))), count: rows.length };
    },
  );

  app.delete(
    '/users/me/sessions',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['sessions'],
        summary: 'Sign out every other session',
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const me = caller(request);
      const ended = await db.transaction(async (tx) => {
        const count = await sessions.revokeAll(tx, me.id, 'user', callerSession(request));
        await audit.record(tx, requestOrigin(request), {
          type: 'session.revoked',
          targetId: me.id,
          details: { count, scope: 'others' },
        });
        return count;
      });
      return { message: `${ended} other session${ended === 1 ? '' : 's'} signed out` };
    },
  );

  app.delete(
    '/users/me/sessions/:session_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['sessions'],
        summary: 'Sign out one of my sessions',
        params: Type.Object({ session_id: Uuid }),
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const me = caller(request);
      const sessionId = request.params.session_id.toLowerCase();
      await db.transaction(async (tx) => {
        if (!(await sessions.revoke(tx, me.id, sessionId, 'user'))) throw new HttpError(404, Messages.sessionNotFound);
        await audit.record(tx, requestOrigin(request), {
          type: 'session.revoked',
          targetId: me.id,
          details: { session_id: sessionId },
        });
      });
      return { message: Messages.sessionRevoked };
    },
  );

  const UserIdParams = Type.Object({ user_id: Uuid });

  app.get(
    '/users/:user_id/sessions',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['sessions'],
        summary: "A user's active sessions",
        params: UserIdParams,
        response: { 200: SessionsPublic, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const userId = request.params.user_id.toLowerCase();
      if (!(await users.getById(userId))) throw new HttpError(404, Messages.userNotFound);
      const rows = await sessions.listActive(userId);
      return { data: rows.map((row) => toSessionPublic(row, callerSession(request))), count: rows.length };
    },
  );

  app.delete(
    '/users/:user_id/sessions',
    {
      config: { permission: 'sessions:revoke' },
      schema: {
        tags: ['sessions'],
        summary: 'Sign a user out everywhere',
        description: 'Not a user who holds a permission the caller lacks (`403`).',
        params: UserIdParams,
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const userId = request.params.user_id.toLowerCase();
      const target = await users.getById(userId);
      if (!target) throw new HttpError(404, Messages.userNotFound);
      await requireManageable(ctx.roles, caller(request), target);
      const ended = await db.transaction(async (tx) => {
        // An admin signing themselves out everywhere keeps the session they are using.
        const keep = userId === caller(request).id ? callerSession(request) : undefined;
        const count = await sessions.revokeAll(tx, userId, 'admin', keep);
        await audit.record(tx, requestOrigin(request), {
          type: 'session.revoked',
          targetId: userId,
          details: { count, scope: 'all' },
        });
        return count;
      });
      return { message: `${ended} session${ended === 1 ? '' : 's'} signed out` };
    },
  );
};
