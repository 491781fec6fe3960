/**
 * The token answer of login and refresh (OAuth2 style), and the web app's
 * refresh cookie. A browser asks for the cookie with `X-Roster-Refresh: cookie`:
 * the refresh token then travels only in an HttpOnly, SameSite=Strict cookie
 * scoped to the refresh path (Secure except on localhost) and never in a body
 * that scripts can read. Beside it, a marker cookie readable by scripts (`roster_session=1`,
 * no secret in it, same lifetime) tells the web app that a session may exist, so a signed-out
 * page load does not ask for a refresh that can only fail.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenService } from '../auth/tokens.js';

export const REFRESH_COOKIE = 'roster_refresh';
export const REFRESH_PATH = '/api/v1/login/refresh-token';
export const SESSION_MARKER_COOKIE = 'roster_session';
const COOKIE_MODE_HEADER = 'x-roster-refresh';

export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires' }),
    refresh_token: Type.Optional(
      Type.String({ description: 'Single use: each refresh returns a new one. Absent when it was set as a cookie.' }),
    ),
  },
  { $id: 'Token' },
);

export function wantsRefreshCookie(request: FastifyRequest): boolean {
  return request.headers[COOKIE_MODE_HEADER] === 'cookie' || Boolean(request.cookies?.[REFRESH_COOKIE]);
}

function isLocalhost(request: FastifyRequest): boolean {
  const host = request.hostname.replace(/:\d+$/, '');
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

export function clearRefreshCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH, httpOnly: true, sameSite: 'strict', secure: !isLocalhost(request) });
  reply.clearCookie(SESSION_MARKER_COOKIE, { path: '/', sameSite: 'strict', secure: !isLocalhost(request) });
}

export async function sendTokens(
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: TokenService,
  grant: { userId: string; sessionId: string; refreshToken: string; sessionExpiresAt: Date },
) {
  const body = {
    access_token: await tokens.createAccessToken(grant.userId, grant.sessionId),
    token_type: 'bearer' as const,
    expires_in: tokens.accessTokenSeconds,
  };
  if (wantsRefreshCookie(request)) {
    reply.setCookie(REFRESH_COOKIE, grant.refreshToken, {
      path: REFRESH_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: !isLocalhost(request),
      expires: grant.sessionExpiresAt,
    });
    reply.setCookie(SESSION_MARKER_COOKIE, '1', {
      path: '/',
      sameSite: 'strict',
      secure: !isLocalhost(request),
      expires: grant.sessionExpiresAt,
    });
    return body;
  }
  return { ...body, refresh_token: grant.refreshToken };
}
