// The typed API client. Every request and response shape comes from schema.d.ts, which
// is generated from the server's OpenAPI document (npm run gen:api --workspace web), so
// a contract change that breaks the UI breaks `npm run typecheck`.
import createClient from 'openapi-fetch';
import { getAccessToken } from '../auth/token-store';
import { noteDevMailbox } from '../lib/dev-mailbox';
import { ORG_CLAIM_CHANGED } from '../lib/orgs';
import { ApiError } from './errors';
import type { paths } from './schema';

// Same origin as the page: the Roster server serves both the app and /api/v1.
export const api = createClient<paths>({ baseUrl: '' });

type SessionLostListener = () => void;
let onSessionLost: SessionLostListener = () => {};

/** Called when the API says the token no longer identifies an active user's live session. */
export function setSessionLostListener(listener: SessionLostListener): void {
  onSessionLost = listener;
}

export function notifySessionLost(): void {
  onSessionLost();
}

let onOrgClaimChanged: () => void = () => {};

/**
 * Called when the API refused the token's organization claim (the user left or was removed,
 * or their role changed): the session still counts, and a refresh gives a token that matches.
 */
export function setOrgClaimChangedListener(listener: () => void): void {
  onOrgClaimChanged = listener;
}

api.use({
  onRequest({ request }) {
    const token = getAccessToken();
    if (token && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    noteDevMailbox(response);
    if (!request.headers.has('Authorization') || response.ok) return response;
    // Signing out of a session that already ended is fine: signOut() forgets it either way.
    if (new URL(request.url).pathname === '/api/v1/logout') return response;
    // 401: no/other scheme; 403 with this detail: bad or expired token, or a revoked session;
    // 400 "Inactive user": deactivated. For the caller's own record, 404 means the account was
    // deleted (elsewhere a 404 "User not found" can be about someone else). Other 403s and
    // 404s are ordinary refusals the page shows itself.
    if (response.status === 401) onSessionLost();
    else if ([400, 403, 404].includes(response.status)) {
      const detail = await response
        .clone()
        .json()
        .then((body: { detail?: unknown }) => body.detail)
        .catch(() => undefined);
      const isMe = new URL(request.url).pathname === '/api/v1/users/me';
      if (detail === ORG_CLAIM_CHANGED) onOrgClaimChanged();
      else if (
        detail === 'Could not validate credentials' ||
        (response.status === 400 && detail === 'Inactive user') ||
        (isMe && detail === 'User not found')
      ) {
        onSessionLost();
      }
    }
    return response;
  },
});

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/**
 * Await an openapi-fetch call and return its data, or throw ApiError with the server's
 * `detail` (status 0 when the server could not be reached at all).
 */
export async function unwrap<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch {
    // fetch() rejected: no answer at all (server down, network gone, request blocked).
    throw new ApiError(0, undefined);
  }
  if (!result.response.ok || result.error !== undefined) {
    const body = result.error as { detail?: unknown } | undefined;
    throw new ApiError(result.response.status, body?.detail);
  }
  return result.data as T;
}
