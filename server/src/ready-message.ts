/**
 * What `npm start` prints once Roster answers, for the person who just started it:
 * where to open it, how to sign in, where mail goes and where the API docs are.
 * (With LOG_FORMAT=json the same facts are one JSON log line instead.)
 */
import { localDefaults } from './config.js';

export interface ReadyFacts {
  /** The base URL a browser on this machine opens, e.g. http://localhost:8000. */
  url: string;
  /** Whether the web app is built and served at `url`. */
  webApp: boolean;
  adminEmail: string;
  adminPassword: string;
  /** The admin account was created by this start (the first run). */
  adminCreated: boolean;
  /** Mail is kept in the dev mailbox instead of being sent. */
  mailbox: boolean;
}

/** The development default password is public (it is in the docs), so it may be shown; any other is never printed. */
const DEVELOPMENT_PASSWORD = localDefaults('8000').FIRST_SUPERUSER_PASSWORD;

export function readyMessage(facts: ReadyFacts): string {
  const { url } = facts;
  const lines = [facts.webApp ? `Roster is ready: open ${url}` : `Roster's API is ready at ${url} (the web app is not built)`];
  const password =
    facts.adminPassword === DEVELOPMENT_PASSWORD ? ` / ${DEVELOPMENT_PASSWORD}` : ' (password: FIRST_SUPERUSER_PASSWORD)';
  lines.push(
    facts.adminCreated
      ? `  sign in as ${facts.adminEmail}${password} (account created just now)`
      : `  sign in as ${facts.adminEmail}${password}, unless you changed it`,
  );
  if (facts.mailbox) lines.push(`  mail is not sent: read it at ${url}/dev/mailbox`);
  lines.push(`  API docs: ${url}/docs`);
  return `${lines.join('\n')}\n`;
}
