/**
 * What a command that touches the database gets: the settings, an open and
 * migrated database, and the services the HTTP routes use, so the CLI applies
 * the same rules (case-insensitive emails, Argon2id hashing) as the API.
 */
import fs from 'node:fs';
import { AuditLog } from '../audit/service.js';
import { OneTimeTokens } from '../auth/one-time-tokens.js';
import { PasswordHasher } from '../auth/passwords.js';
import { ConfigError, loadToolConfig, readSources, type ToolConfig } from '../config.js';
import { type DbHandle, openDatabase } from '../db/client.js';
import { DataFolderInUseError } from '../db/data-folder-lock.js';
import { migrate } from '../db/migrate.js';
import { Outbox } from '../email/outbox.js';
import { SessionsService } from '../sessions/service.js';
import { AccountEmails } from '../users/account-emails.js';
import { UsersService } from '../users/service.js';
import { systemClock } from '../utils/clock.js';
import { webhooksForAuditedEvents } from '../webhooks/audited-events.js';
import { WebhookEndpoints } from '../webhooks/endpoints.js';
import { WebhookEvents } from '../webhooks/events.js';
import { WebhookSecretBox } from '../webhooks/sealed-secrets.js';
import { CliAccountChanges } from './account-changes.js';
import { OperationError, UsageError } from './errors.js';
import { note, type Terminal } from './terminal.js';

export interface CliContext {
  config: ToolConfig;
  database: DbHandle;
  hasher: PasswordHasher;
  users: UsersService;
  /** Sessions to end and audit records to write around an account change. */
  changes: CliAccountChanges;
  webhooks: WebhookEndpoints;
  /** Without SECRET_KEY (see ToolConfig) it can neither seal nor open a signing secret. */
  webhookSecrets: WebhookSecretBox;
  terminal: Terminal;
}

/**
 * The CLI issues no emailed tokens; the lifetime only matters for issuing them,
 * while UsersService needs the service to revoke outstanding ones.
 */
const UNUSED_TOKEN_LIFETIME_HOURS = 1;
/** Likewise: the CLI ends sessions but never starts one. */
const UNUSED_SESSION_LIFETIME_DAYS = 1;

/** Settings from the environment given (the process's, in production) and the root `.env`. */
export function cliConfig(env: Record<string, string | undefined>): ToolConfig {
  try {
    return loadToolConfig(readSources(env));
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.problems.join(' '));
    throw error;
  }
}

/** Opens and migrates the database, runs `work`, and always closes the database. */
export async function withContext<T>(terminal: Terminal, work: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = cliConfig(terminal.env);
  // A mistyped DATA_DIR would otherwise be a new, empty database without a word.
  if (!config.databaseUrl && !fs.existsSync(config.dataDir)) {
    note(terminal, `DATA_DIR ${config.dataDir} does not exist: creating it.`);
  }
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
    holder: 'the roster command',
  }).catch((error: unknown) => {
    if (error instanceof DataFolderInUseError) throw error;
    throw new OperationError(`cannot open the database: ${error instanceof Error ? error.message : String(error)}`);
  });
  try {
    // Idempotent: a CLI run against a database the service has not seen yet still finds its tables.
    await migrate(database);
    const hasher = new PasswordHasher(config.argon2);
    const tokens = new OneTimeTokens(systemClock, UNUSED_TOKEN_LIFETIME_HOURS);
    const users = new UsersService(database.db, hasher, tokens);
    const sessions = new SessionsService(database.db, systemClock, UNUSED_SESSION_LIFETIME_DAYS);
    // The CLI's changes are events too; the service's workers deliver them.
    const webhookEvents = new WebhookEvents(systemClock);
    users.events = webhookEvents;
    sessions.onRevokedAll = (tx, userId, reason, ended) => webhookEvents.sessionsRevoked(tx, userId, reason, ended);
    const { mail } = config;
    const outbox = new Outbox(database.db, {
      keepOnly: mail.mode === 'mailbox',
      messageIdDomain: mail.messageIdDomain,
      clock: systemClock,
    });
    const brand = { projectName: mail.projectName, frontendHost: mail.frontendHost };
    const emails = new AccountEmails(
      database.db,
      outbox,
      tokens,
      brand,
      UNUSED_TOKEN_LIFETIME_HOURS,
      systemClock,
      mail.mode !== 'off',
    );
    const audit = new AuditLog(database.db, systemClock);
    audit.onRecorded = webhooksForAuditedEvents(webhookEvents);
    const changes = new CliAccountChanges(sessions, audit, emails);
    const webhookSecrets = new WebhookSecretBox(config.secretKey);
    const webhooks = new WebhookEndpoints(
      database.db,
      systemClock,
      webhookEvents,
      { allowPrivate: config.webhookAllowPrivateTargets },
      webhookSecrets,
      audit,
    );
    return await work({ config, database, hasher, users, changes, webhooks, webhookSecrets, terminal });
  } finally {
    await database.close();
  }
}
