// The one place that knows where the access token lives. Today: memory, mirrored to
// localStorage so a reload or a second tab stays signed in. When refresh moves to an
// HttpOnly cookie (sessions issue), only this module changes: keep the token in memory
// and drop the storage mirror.

const STORAGE_KEY = 'roster.access_token';

let memory: string | null | undefined; // undefined = not read from storage yet
export type TokenChangeSource = 'this-tab' | 'other-tab';
const listeners = new Set<(source: TokenChangeSource) => void>();

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage can be disabled (privacy mode); memory still works
  }
}

export function getAccessToken(): string | null {
  if (memory === undefined) memory = storage()?.getItem(STORAGE_KEY) ?? null;
  return memory;
}

export function setAccessToken(token: string | null): void {
  memory = token;
  const s = storage();
  if (token === null) s?.removeItem(STORAGE_KEY);
  else s?.setItem(STORAGE_KEY, token);
  for (const listener of listeners) listener('this-tab');
}

export function onAccessTokenChange(listener: (source: TokenChangeSource) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signed in or out: follow it.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== STORAGE_KEY) return;
    memory = event.newValue;
    for (const listener of listeners) listener('other-tab');
  });
}
