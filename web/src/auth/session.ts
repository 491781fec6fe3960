// Who is signed in. The access token lives in memory (token-store); the refresh token in an
// HttpOnly cookie the server sets when the login asks for it (`X-Roster-Refresh: cookie`).
// A page load, or a token about to expire, gets a new access token from that cookie.
import { type QueryClient, queryOptions, useQuery } from '@tanstack/react-query';
import { api, notifySessionLost, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import type { UserPublic } from '../api/types';
import { clearToasts } from '../lib/toast';
import { mayHaveSession } from './session-marker';
import { announceSessionEvent, getAccessToken, setAccessToken } from './token-store';

const COOKIE_MODE = { 'X-Roster-Refresh': 'cookie' } as const;
// Refresh this long before the access token runs out, so requests never carry an expired one.
const REFRESH_MARGIN_SECONDS = 60;
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit (about 24.8 days)

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;

function adopt(token: { access_token: string; expires_in: number }): void {
  setAccessToken(token.access_token);
  clearTimeout(refreshTimer);
  const delayMs = Math.min(Math.max(token.expires_in - REFRESH_MARGIN_SECONDS, 5) * 1000, MAX_TIMER_MS);
  refreshTimer = setTimeout(() => {
    refreshSession().then(
      (ok) => ok || notifySessionLost(),
      () => {}, // unreachable now; the next request or page load tries again
    );
  }, delayMs);
}

function forget(): void {
  clearTimeout(refreshTimer);
  setAccessToken(null);
}

/**
 * A new access token from the refresh cookie. Resolves true when signed in, false when there
 * is no session (no cookie, revoked, expired); rejects with ApiError status 0 when the server
 * cannot be reached. Concurrent callers share one request: a refresh token works once.
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= unwrap(api.POST('/api/v1/login/refresh-token', { body: {} }))
    .then((token) => {
      adopt(token);
      return true;
    })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status !== 0 && error.status < 500) {
        forget();
        return false;
      }
      throw error;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/**
 * Signed in, using the token in memory or else the refresh cookie. Without the session marker
 * there is no refresh cookie either: a signed-out visitor costs no request (and no console 400).
 */
export async function ensureSession(): Promise<boolean> {
  if (getAccessToken() !== null) return true;
  return mayHaveSession() && refreshSession();
}

export function isSignedIn(): boolean {
  return getAccessToken() !== null;
}

export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: async () => {
    // After a failed start (server unreachable) "Try again" lands here without a token.
    if (!(await ensureSession())) {
      notifySessionLost();
      throw new ApiError(401, 'Not authenticated');
    }
    return unwrap(api.GET('/api/v1/users/me'));
  },
  staleTime: 60_000,
});

export function useMe() {
  return useQuery(meQuery);
}

export async function signIn(queryClient: QueryClient, email: string, password: string): Promise<UserPublic> {
  const token = await unwrap(
    api.POST('/api/v1/login/access-token', {
      body: { username: email.trim(), password },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...COOKIE_MODE },
    }),
  );
  return startSession(queryClient, token);
}

/** Signs in with a passkey's answer to the challenge `challenge_id` (from /login/passkey/options). */
export async function signInWithPasskey(
  queryClient: QueryClient,
  assertion: { challenge_id: string; response: never },
): Promise<UserPublic> {
  const token = await unwrap(api.POST('/api/v1/login/passkey', { body: assertion, headers: COOKIE_MODE }));
  return startSession(queryClient, token);
}

/** What every way of signing in does with its tokens. */
function startSession(queryClient: QueryClient, token: { access_token: string; expires_in: number }): Promise<UserPublic> {
  adopt(token);
  queryClient.clear(); // nothing cached for a previous user may leak into this session
  clearToasts(); // nor anything said to them
  announceSessionEvent('signed-in');
  return queryClient.fetchQuery(meQuery);
}

/**
 * Sign out. `revoke` ends the session on the server too (POST /logout, which also clears the
 * refresh cookie); without it only this browser forgets, for when the session is already gone.
 */
export async function signOut(queryClient: QueryClient, { revoke = true } = {}): Promise<void> {
  if (revoke && isSignedIn()) {
    // Best effort: signing out locally must work even when the server is unreachable.
    await unwrap(api.POST('/api/v1/logout')).catch(() => {});
  }
  forget();
  queryClient.clear();
  clearToasts();
  announceSessionEvent('signed-out');
}

/** This tab heard that another one signed out: forget locally, the session is already ended. */
export function forgetSession(queryClient: QueryClient): void {
  forget();
  queryClient.clear();
  clearToasts();
}

export function displayName(user: Pick<UserPublic, 'full_name' | 'email'>): string {
  return user.full_name?.trim() || user.email;
}
