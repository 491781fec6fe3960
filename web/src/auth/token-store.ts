// The one place that holds the access token: in memory only, so a script injected into the
// page cannot read it from storage. The refresh token lives in an HttpOnly cookie that only
// the server sees (POST /api/v1/login/refresh-token); a reload or a new tab gets a fresh
// access token from it (see session.ts).
//
// Tabs do not share memory, so sign-in and sign-out are announced to the other tabs of this
// origin over a BroadcastChannel (the token itself is never sent).

let accessToken: string | null = null;

export function getAccessToken(): string | null {
  return accessToken;
}

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

export type SessionEvent = 'signed-in' | 'signed-out';

const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('roster-session');
const listeners = new Set<(event: SessionEvent) => void>();

channel?.addEventListener('message', (message: MessageEvent) => {
  const event = message.data;
  if (event !== 'signed-in' && event !== 'signed-out') return;
  for (const listener of listeners) listener(event);
});

/** Tell the other tabs; this tab has already acted on it. */
export function announceSessionEvent(event: SessionEvent): void {
  channel?.postMessage(event);
}

/** Called when another tab of this origin signed in or out. */
export function onSessionEventElsewhere(listener: (event: SessionEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
