// Who is signed in. The access token lives in memory (token-store); the refresh token in an
// HttpOnly cookie the server sets when the login asks for it (`X-Roster-Refresh: cookie`).
// A page load, or a token about to expire, gets a new access token from that cookie.
import { type QueryClient, queryOptions, useQuery } from '@tanstack/react-query';
import { api, notifySessionLost, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import type { UserPublic } from '../api/types';
import { type MfaChallenge, mfaChallengeFrom, normalizeCode } from '../lib/mfa';
import { orgClaimOf } from '../lib/orgs';
import { secondFactorAssertion } from '../lib/passkeys';
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

export type SignInResult = { kind: 'signed-in'; user: UserPublic } | MfaChallenge;

/**
 * Sign in with email and password. An account with a second factor (or one that must set one
 * up) gets no tokens here: the result is the challenge, finished by `completeMfa` or
 * `confirmMfaSetup` with its `mfaToken`.
 */
export async function signIn(queryClient: QueryClient, email: string, password: string): Promise<SignInResult> {
  const request = api.POST('/api/v1/login/access-token', {
    body: { username: email.trim(), password },
    bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...COOKIE_MODE },
  });
  const challenge = await request.then(
    ({ response, error }) => mfaChallengeFrom(response.status, error),
    () => null, // unreachable: unwrap below says so
  );
  if (challenge) return challenge;
  const token = await unwrap(request);
  return { kind: 'signed-in', user: await startSession(queryClient, token) };
}

/** The organization the current access token acts for (`org_id`, `org_role`), or null. */
export const activeOrgQuery = queryOptions({
  queryKey: ['active-org'],
  queryFn: async () => orgClaimOf(getAccessToken()),
  staleTime: Number.POSITIVE_INFINITY,
});

export function useActiveOrg() {
  return useQuery(activeOrgQuery);
}

/**
 * Makes `orgId` (or none) the session's active organization: the server answers a fresh token
 * pair whose access token carries the claim, and everything cached is read again for it.
 */
export async function chooseOrganization(queryClient: QueryClient, orgId: string | null): Promise<void> {
  const token = await unwrap(api.POST('/api/v1/users/me/active-org', { body: { org_id: orgId }, headers: COOKIE_MODE }));
  adopt(token);
  await queryClient.invalidateQueries();
}

/** The second step: a code from the authenticator app or a recovery code. */
export async function completeMfa(
  queryClient: QueryClient,
  { mfaToken, code, rememberDevice }: { mfaToken: string; code: string; rememberDevice: boolean },
): Promise<UserPublic> {
  const token = await unwrap(
    api.POST('/api/v1/login/mfa', {
      body: { mfa_token: mfaToken, code: normalizeCode(code), remember_device: rememberDevice },
      headers: COOKIE_MODE,
    }),
  );
  return startSession(queryClient, token);
}

/** The second step with a passkey: the user's own passkeys, then the same answer as with a code. */
export async function completeMfaWithPasskey(
  queryClient: QueryClient,
  { mfaToken, rememberDevice }: { mfaToken: string; rememberDevice: boolean },
): Promise<UserPublic> {
  const passkey = await secondFactorAssertion(
    unwrap(api.POST('/api/v1/login/mfa/passkey-options', { body: { mfa_token: mfaToken } })),
  );
  const token = await unwrap(
    api.POST('/api/v1/login/mfa', {
      body: { mfa_token: mfaToken, passkey, remember_device: rememberDevice },
      headers: COOKIE_MODE,
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

/** Setting up a factor the server requires before a first session: the pending enrolment. */
export function startMfaSetup(mfaToken: string) {
  return unwrap(api.POST('/api/v1/login/mfa/enroll', { body: { mfa_token: mfaToken } }));
}

/** Confirms the required setup with a first code: signed in, with the recovery codes to keep. */
export async function confirmMfaSetup(
  queryClient: QueryClient,
  { mfaToken, code }: { mfaToken: string; code: string },
): Promise<{ user: UserPublic; recoveryCodes: string[] }> {
  const answer = await unwrap(
    api.POST('/api/v1/login/mfa/enroll/confirm', {
      body: { mfa_token: mfaToken, code: normalizeCode(code) },
      headers: COOKIE_MODE,
    }),
  );
  return { user: await startSession(queryClient, answer), recoveryCodes: answer.recovery_codes };
}

async function startSession(queryClient: QueryClient, token: { access_token: string; expires_in: number }): Promise<UserPublic> {
  adopt(token);
  return openSession(queryClient);
}

/**
 * After a sign-in with another provider the server has set the refresh cookie and sent the
 * browser to /login/callback: trade it for an access token. `null` when there is no session.
 */
export async function adoptProviderSession(queryClient: QueryClient): Promise<UserPublic | null> {
  if (!(await refreshSession())) return null;
  return openSession(queryClient);
}

async function openSession(queryClient: QueryClient): Promise<UserPublic> {
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
