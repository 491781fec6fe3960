export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "Showing 11–20 of 42" for a page. */
export function rangeLabel(skip: number, shown: number, count: number): string {
  if (count === 0 || shown === 0) return `0 of ${count}`;
  return `${skip + 1}–${skip + shown} of ${count}`;
}

/** A same-origin path to return to after sign-in; anything else becomes "/". */
export function safeRedirect(target: unknown): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) {
    return '/';
  }
  return target;
}
