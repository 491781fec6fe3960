/**
 * Request guards: who is calling, and may they. They run in `onRequest`, so
 * authentication and authorization are decided before the body is read or
 * validated, as the contract orders them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserRow } from '../db/schema.js';
import { HttpError, Messages } from '../errors.js';
import type { UsersService } from '../users/service.js';
import type { TokenService } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the guards on authenticated routes. */
    currentUser: UserRow | null;
  }
}

/** `Authorization: Bearer <token>`, the scheme in any case. */
function bearerToken(request: FastifyRequest): string | null {
  const match = /^bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? null;
}

export interface Guards {
  requireUser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  requireSuperuser(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export function createGuards(tokens: TokenService, users: UsersService): Guards {
  async function requireUser(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request);
    if (!token) throw new HttpError(401, Messages.notAuthenticated, { 'WWW-Authenticate': 'Bearer' });
    const claims = await tokens.verifyAccessToken(token);
    if (!claims) throw new HttpError(403, Messages.badCredentials);
    const user = await users.getById(claims.userId);
    if (!user) throw new HttpError(404, Messages.userNotFound);
    if (!user.isActive) throw new HttpError(400, Messages.inactiveUser);
    request.currentUser = user;
  }

  return {
    requireUser,
    async requireSuperuser(request) {
      await requireUser(request);
      if (!request.currentUser?.isSuperuser) throw new HttpError(403, Messages.notEnoughPrivileges);
    },
  };
}

/** The caller on a guarded route; the guard has already refused anyone else. */
export function caller(request: FastifyRequest): UserRow {
  if (!request.currentUser) throw new Error('caller() used on a route without an auth guard');
  return request.currentUser;
}
