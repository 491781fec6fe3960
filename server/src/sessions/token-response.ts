/**
 * The token answer of login and refresh (OAuth2 style), and the web app's
 * refresh cookie. A browser asks for the cookie with `X-Roster-Refresh: cookie`:
 * the refresh token then travels only in an HttpOnly, SameSite=Strict cookie
 * scoped to the refresh path and never in a body that scripts can read. Its
 * Secure flag is a setting (COOKIE_SECURE, on unless ENVIRONMENT=local), never
 * a guess from the request's Host, which the client chooses. Beside it, a marker
 * cookie readable by scripts (`roster_session=1`, no secret in it, same lifetime)
 * tells the web app that a session may exist, so a signed-out page load does not
 * ask for a refresh that can only fail.
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

export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH, httpOnly: true, sameSite: 'strict', secure });
  reply.clearCookie(SESSION_MARKER_COOKIE, { path: '/', sameSite: 'strict', secure });
}

/**
 * For the routes that answer with tokens, as onRequest: every answer, refusals
 * included, is `Cache-Control: no-store`, so no browser or proxy cache keeps a token.
 */
export async function noStore(_request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('cache-control', 'no-store');
}

/** A session to answer with tokens for. */
export interface TokenGrant {
  userId: string;
  sessionId: string;
  refreshToken: string;
  sessionExpiresAt: Date;
  /** What the session's sign-in proved; a refresh keeps the session's. */
  amr: string[];
  aal: number;
}

export async function sendTokens(
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: TokenService,
  grant: TokenGrant,
  secureCookie: boolean,
) {
  const body = {
    access_token: await tokens.createAccessToken(grant.userId, grant.sessionId, grant),
    token_type: 'bearer' as const,
    expires_in: tokens.accessTokenSeconds,
  };
  if (wantsRefreshCookie(request)) {
    reply.setCookie(REFRESH_COOKIE, grant.refreshToken, {
      path: REFRESH_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: secureCookie,
      expires: grant.sessionExpiresAt,
    });
    reply.setCookie(SESSION_MARKER_COOKIE, '1', {
      path: '/',
      sameSite: 'strict',
      secure: secureCookie,
      expires: grant.sessionExpiresAt,
    });
    return body;
  }
  return { ...body, refresh_token: grant.refreshToken };
}
