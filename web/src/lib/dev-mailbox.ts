// Where this server keeps mail instead of sending it (ENVIRONMENT=local without SMTP): the
// server names it in a header on every API answer there, and nowhere else. Pages that say
// "we sent you an email" link to it, so a developer is one click from the message.
import { useSyncExternalStore } from 'react';

export const DEV_MAILBOX_HEADER = 'X-Roster-Dev-Mailbox';

let mailboxPath: string | null = null;
const listeners = new Set<() => void>();

/** Remember the mailbox a response names (only a same-origin path is taken). */
export function noteDevMailbox(response: Pick<Response, 'headers'>): void {
  const path = response.headers.get(DEV_MAILBOX_HEADER);
  const next = path?.startsWith('/') && !path.startsWith('//') ? path : null;
  if (next === null || next === mailboxPath) return;
  mailboxPath = next;
  for (const listener of listeners) listener();
}

export function devMailboxPath(): string | null {
  return mailboxPath;
}

/** The dev mailbox's path, or null when this server sends real mail. */
export function useDevMailbox(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => mailboxPath,
    () => mailboxPath,
  );
}
