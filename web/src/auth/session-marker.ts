// Whether a session may exist in this browser. The refresh cookie is HttpOnly (scripts cannot
// see it), so the server sets a marker beside it, `roster_session=1`, with the same lifetime
// and no secret in it, and clears both on logout and on a refused refresh. No marker: no
// refresh cookie either, and nothing to ask the server.

const MARKER = 'roster_session';

export function mayHaveSession(cookies: string = document.cookie): boolean {
  return cookies.split(';').some((part) => part.trim().startsWith(`${MARKER}=1`));
}
