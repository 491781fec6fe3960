/**
 * Typed settings. Read once at start-up from the environment, then from a `.env`
 * file at the repository root (the environment wins; ROSTER_ENV_FILE names another
 * file, or `off` for none, as the tests do). Nothing else in the
 * service reads `process.env`: settings are passed in.
 *
 * Every problem found is reported as one clear line; `loadConfig` collects all
 * of them so an operator fixes a bad deployment in one round, not one per start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
import ipaddr from 'ipaddr.js';
import { isValidEmail } from './http/validation.js';
import { type OAuthSettings, readOAuthSettings } from './identities/settings.js';
import { isCommonPassword } from './security/common-passwords.js';
import { type BruteForceSettings, readBruteForceSettings } from './security/settings.js';

export type Environment = 'local' | 'staging' | 'production';

export interface SmtpSettings {
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  tls: boolean;
  ssl: boolean;
  fromEmail: string;
  fromName: string;
}

export interface Argon2Settings {
  memoryKib: number;
  iterations: number;
  parallelism: number;
}

export interface Config {
  environment: Environment;
  projectName: string;
  secretKey: string;
  accessTokenExpireMinutes: number;
  emailResetTokenExpireHours: number;
  firstSuperuser: string;
  firstSuperuserPassword: string;
  /** The web app's origin used in links (the first of FRONTEND_HOST's list). */
  frontendHost: string;
  /** Every origin in FRONTEND_HOST: all are allowed by CORS (with credentials). */
  corsOrigins: string[];
  /** `null`: the embedded PGlite database under `dataDir`. */
  databaseUrl: string | null;
  /** Connections in the PostgreSQL pool of each process (the LISTEN connections come on top). */
  databasePoolSize: number;
  dataDir: string;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `text`: lines for a person (the default in local); `json`: one JSON object per line (elsewhere). */
  logFormat: 'text' | 'json';
  /** `null` when mail is not configured (no SMTP_HOST or no EMAILS_FROM_EMAIL). */
  smtp: SmtpSettings | null;
  /**
   * Where mail goes: `smtp` when configured; `mailbox` (kept in the database and shown
   * at /dev/mailbox) when local without SMTP; `off` otherwise.
   */
  mailMode: 'smtp' | 'mailbox' | 'off';
  /** Sent, failed and kept mail older than this is deleted. */
  emailRetentionDays: number;
  /** Sign-up sends a link to verify the address (false: no mail, as in the FastAPI template). */
  emailVerificationOnSignup: boolean;
  /** Refuse login to accounts whose email is not verified. */
  requireVerifiedLogin: boolean;
  /** A session ends this long after its last refresh. */
  refreshTokenExpireDays: number;
  /** A session ends this long after its login, however often it is refreshed. */
  sessionMaxDays: number;
  /**
   * How long a sign-in's writes (or a refresh) wait for concurrent sign-ins (refreshes) to share their
   * statement (0: this event-loop turn).
   */
  signInGroupCommitMs: number;
  /** The refresh cookie's Secure flag: COOKIE_SECURE, by default on unless ENVIRONMENT=local. */
  cookieSecure: boolean;
  /** ENVIRONMENT=local only: listen on a non-loopback HOST and answer any Host header. */
  allowLocalOnNetwork: boolean;
  /** Audit events older than this are deleted. */
  auditRetentionDays: number;
  /** Changing one's email needs a password login this recent, or the current password (0: always the password). */
  reauthWindowMinutes: number;
  /** Who must have a second factor to sign in: MFA_REQUIRED (none, superusers or all). */
  mfaRequired: MfaRequired;
  /** A browser that passed the second factor may skip it this many days (MFA_REMEMBER_DAYS; 0: never). */
  mfaRememberDays: number;
  /** Who may create an organization: `anyone` (any verified user) or `admins` (holders of orgs:manage). */
  orgCreation: 'anyone' | 'admins';
  /** An organization's invitation link works this many days. */
  orgInvitationDays: number;
  argon2: Argon2Settings;
  /** Fastify's `trustProxy`: whether (and which) X-Forwarded-For hops give the client's address. */
  trustProxy: TrustProxy;
  /** `null`: shared counters live in the database; otherwise in this Redis. */
  redisUrl: string | null;
  /** Prepended to every Redis key, so several deployments (or tests) can share one Redis. */
  redisKeyPrefix: string;
  bruteForce: BruteForceSettings;
  webhooks: WebhookSettings;
  /** Sign-in with other providers (OAUTH_PROVIDERS, OAUTH_SIGNUP, PUBLIC_URL). */
  oauth: OAuthSettings;
  /** The WebAuthn relying party that passkeys are bound to. */
  webauthn: WebAuthnSettings;
}

export interface WebhookSettings {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: http and loopback/private addresses allowed (on by default only in local). */
  allowPrivateTargets: boolean;
  /** A receiver that has not answered within this many seconds has failed the attempt. */
  timeoutSeconds: number;
  /** Delivered and failed deliveries older than this are deleted. */
  retentionDays: number;
}

export interface WebAuthnSettings {
  /** WEBAUTHN_RP_ID: the domain passkeys belong to (default: the host of FRONTEND_HOST). */
  rpId: string;
  /** WEBAUTHN_RP_NAME: shown by the browser when a passkey is made (default: PROJECT_NAME). */
  rpName: string;
  /** WEBAUTHN_ORIGINS: the web origins a ceremony may come from (default: the FRONTEND_HOST origins under the RP ID). */
  origins: string[];
}

export type TrustProxy = boolean | number | string[];

/** The repository root: where `.env` lives and what a relative DATA_DIR is resolved against. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Values the start command (`npm start`) supplies for a first run on a developer's
 * machine, so that it works with no setup. They apply only when the resolved
 * ENVIRONMENT is `local`, and never override a value that was set.
 */
const LOCAL_SECRET_KEY = 'local-development-secret-key-not-for-production-use';

export function localDefaults(port: string): Record<string, string> {
  return {
    ENVIRONMENT: 'local',
    PROJECT_NAME: 'Roster',
    SECRET_KEY: LOCAL_SECRET_KEY,
    FIRST_SUPERUSER: 'admin@example.com',
    FIRST_SUPERUSER_PASSWORD: 'changethis',
    FRONTEND_HOST: `http://localhost:${port}`,
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

/**
 * Reads the environment and a settings file; the environment wins. The file is the
 * `.env` at the root, or ROSTER_ENV_FILE (a path, or `off` for none: the tests'
 * processes run with `off`, so a developer's `.env` never changes a test).
 */
export function readSources(env: Source = process.env, envFile = settingsFile(env)): Source {
  let fromFile: Source = {};
  if (envFile && fs.existsSync(envFile)) fromFile = parseDotenv(fs.readFileSync(envFile));
  return { ...fromFile, ...definedOnly(env) };
}

/** The settings file `readSources` reads, or `null` for none (ROSTER_ENV_FILE=off). */
export function settingsFile(env: Source): string | null {
  const chosen = env.ROSTER_ENV_FILE?.trim();
  if (!chosen) return path.join(repoRoot, '.env');
  return chosen.toLowerCase() === 'off' ? null : path.resolve(chosen);
}

function definedOnly(source: Source): Source {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
}

const ENVIRONMENTS: readonly Environment[] = ['local', 'staging', 'production'];
export const MFA_REQUIRED_VALUES = ['none', 'superusers', 'all'] as const;
export type MfaRequired = (typeof MFA_REQUIRED_VALUES)[number];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['text', 'json'] as const;
const WEAK_SECRET = 'changethis';
const MIN_SECRET_BYTES = 32;

export interface LoadOptions {
  /** Fill in the start command's development values when ENVIRONMENT resolves to `local`. */
  useLocalDefaults?: boolean;
}

export interface LoadedConfig {
  config: Config;
  /** Lines to log at start-up (weak development secrets in `local`). */
  warnings: string[];
}

/** Builds the settings from `source`, or throws a ConfigError listing every problem. */
export function loadConfig(source: Source, options: LoadOptions = {}): LoadedConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  let raw = definedOnly(source);

  const environment = oneOf(raw, 'ENVIRONMENT', ENVIRONMENTS, options.useLocalDefaults ? 'local' : 'production', problems);
  if (options.useLocalDefaults && environment === 'local') {
    // A PORT that is not a number is reported once, as PORT, not again inside FRONTEND_HOST.
    const defaults = localDefaults(/^\d+$/.test(raw.PORT ?? '') ? (raw.PORT as string) : '8000');
    const supplied = Object.keys(defaults).filter((key) => raw[key] === undefined && key !== 'ENVIRONMENT');
    raw = { ...defaults, ...raw };
    if (supplied.length > 0) {
      warnings.push(
        `Running with development defaults for ${supplied.join(', ')}: fine on your machine, never in production (set them in .env).`,
      );
    }
  }

  const port = integer(raw, 'PORT', 8000, problems, { min: 0, max: 65535 });
  const smtpPort = integer(raw, 'SMTP_PORT', 587, problems, { min: 1, max: 65535 });
  const databaseUrl = postgresUrl(raw, problems);
  const frontendOrigins = httpUrlList(raw, 'FRONTEND_HOST', 'http://localhost:5173', problems);

  const config: Config = {
    environment,
    projectName: required(raw, 'PROJECT_NAME', problems),
    secretKey: required(raw, 'SECRET_KEY', problems),
    accessTokenExpireMinutes: integer(raw, 'ACCESS_TOKEN_EXPIRE_MINUTES', 60 * 24 * 8, problems, { min: 1 }),
    emailResetTokenExpireHours: integer(raw, 'EMAIL_RESET_TOKEN_EXPIRE_HOURS', 48, problems, { min: 1 }),
    firstSuperuser: required(raw, 'FIRST_SUPERUSER', problems),
    firstSuperuserPassword: required(raw, 'FIRST_SUPERUSER_PASSWORD', problems),
    frontendHost: frontendOrigins[0] as string,
    corsOrigins: frontendOrigins,
    databaseUrl,
    databasePoolSize: integer(raw, 'DATABASE_POOL_SIZE', 10, problems, { min: 1, max: 1000 }),
    dataDir: path.resolve(repoRoot, raw.DATA_DIR ?? './data'),
    host: raw.HOST ?? (environment === 'local' ? '127.0.0.1' : '0.0.0.0'),
    port,
    logLevel: oneOf(raw, 'LOG_LEVEL', LOG_LEVELS, 'info', problems),
    logFormat: oneOf(raw, 'LOG_FORMAT', LOG_FORMATS, environment === 'local' ? 'text' : 'json', problems),
    smtp: null,
    mailMode: 'off',
    emailRetentionDays: integer(raw, 'EMAIL_RETENTION_DAYS', 30, problems, { min: 1, max: 3650 }),
    emailVerificationOnSignup: boolean(raw, 'EMAIL_VERIFICATION_ON_SIGNUP', true, problems),
    requireVerifiedLogin: boolean(raw, 'REQUIRE_VERIFIED_LOGIN', false, problems),
    refreshTokenExpireDays: integer(raw, 'REFRESH_TOKEN_EXPIRE_DAYS', 30, problems, { min: 1, max: 3650 }),
    sessionMaxDays: integer(raw, 'SESSION_MAX_DAYS', 90, problems, { min: 1, max: 3650 }),
    signInGroupCommitMs: integer(raw, 'SIGN_IN_GROUP_COMMIT_MS', 2, problems, { min: 0, max: 20 }),
    cookieSecure: boolean(raw, 'COOKIE_SECURE', environment !== 'local', problems),
    allowLocalOnNetwork: boolean(raw, 'ALLOW_LOCAL_ON_NETWORK', false, problems),
    auditRetentionDays: integer(raw, 'AUDIT_RETENTION_DAYS', 365, problems, { min: 1, max: 36500 }),
    reauthWindowMinutes: integer(raw, 'REAUTH_WINDOW_MINUTES', 10, problems, { min: 0, max: 1440 }),
    mfaRequired: oneOf(raw, 'MFA_REQUIRED', MFA_REQUIRED_VALUES, 'none', problems),
    mfaRememberDays: integer(raw, 'MFA_REMEMBER_DAYS', 30, problems, { min: 0, max: 365 }),
    orgCreation: oneOf(raw, 'ORG_CREATION', ['anyone', 'admins'] as const, 'anyone', problems),
    orgInvitationDays: integer(raw, 'ORG_INVITATION_DAYS', 7, problems, { min: 1, max: 365 }),
    argon2: argon2Settings(raw, problems),
    trustProxy: trustProxy(raw, problems),
    redisUrl: redisUrl(raw, problems),
    redisKeyPrefix: raw.REDIS_KEY_PREFIX ?? 'roster:',
    bruteForce: readBruteForceSettings(
      raw,
      problems,
      {
        integer: (name, fallback, range) => integer(raw, name, fallback, problems, range),
        boolean: (name, fallback) => boolean(raw, name, fallback, problems),
      },
      environment === 'local',
    ),
    webhooks: {
      allowPrivateTargets: boolean(raw, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', environment === 'local', problems),
      timeoutSeconds: integer(raw, 'WEBHOOK_TIMEOUT_SECONDS', 15, problems, { min: 1, max: 60 }),
      retentionDays: integer(raw, 'WEBHOOK_RETENTION_DAYS', 30, problems, { min: 1, max: 3650 }),
    },
    oauth: readOAuthSettings(raw, frontendOrigins[0] as string, problems, {
      boolean: (name, fallback) => boolean(raw, name, fallback, problems),
      url: (name, fallback) => httpUrl(raw, name, fallback, problems),
    }),
    webauthn: { rpId: '', rpName: '', origins: [] },
  };
  config.webauthn = webauthnSettings(raw, config, problems, warnings);

  const smtpTls = boolean(raw, 'SMTP_TLS', true, problems);
  const smtpSsl = boolean(raw, 'SMTP_SSL', false, problems);
  if (raw.SMTP_HOST && raw.EMAILS_FROM_EMAIL) {
    config.smtp = {
      host: raw.SMTP_HOST,
      port: smtpPort,
      user: raw.SMTP_USER ?? null,
      password: raw.SMTP_PASSWORD ?? null,
      tls: smtpTls,
      ssl: smtpSsl,
      fromEmail: raw.EMAILS_FROM_EMAIL,
      fromName: raw.EMAILS_FROM_NAME ?? config.projectName,
    };
  }
  config.mailMode = config.smtp ? 'smtp' : environment === 'local' ? 'mailbox' : 'off';

  checkSecrets(config, databaseUrl, problems, warnings);
  if (environment !== 'local') checkBootstrap(config, problems);
  if (environment === 'local') checkLocalHost(config, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, warnings };
}

/** What the `roster` CLI needs: where the database is and how to hash passwords. */
export type ToolConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'argon2'> & {
  /** REJECT_COMMON_PASSWORDS, as the API applies it to the passwords an admin sets. */
  rejectCommonPasswords: boolean;
  /** For the notices a command writes to the outbox (an MFA reset), which the running service sends. */
  mail: ToolMailSettings;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS, for `roster webhooks add` (ENVIRONMENT unset counts as local, as for `npm start`). */
  webhookAllowPrivateTargets: boolean;
  /**
   * SECRET_KEY, which seals the signing secrets `roster webhooks add` and `rotate` make; in local
   * (ENVIRONMENT unset too, as above) the development key `npm start` supplies when it is unset.
   * `null` elsewhere when unset: only those two commands need it.
   */
  secretKey: string | null;
};

export interface ToolMailSettings {
  mode: Config['mailMode'];
  projectName: string;
  frontendHost: string;
  messageIdDomain: string;
}

/**
 * The CLI's settings, from the same sources as the service's. It neither signs
 * tokens nor sends mail, so it does not insist on SECRET_KEY, PROJECT_NAME or the
 * superuser settings: an operator can run it with only DATABASE_URL set.
 */
export function loadToolConfig(source: Source): ToolConfig {
  const problems: string[] = [];
  const raw = definedOnly(source);
  const config: ToolConfig = {
    databaseUrl: postgresUrl(raw, problems),
    dataDir: path.resolve(repoRoot, raw.DATA_DIR ?? './data'),
    argon2: argon2Settings(raw, problems),
    rejectCommonPasswords: boolean(raw, 'REJECT_COMMON_PASSWORDS', true, problems),
    mail: toolMailSettings(raw, problems),
    webhookAllowPrivateTargets: boolean(raw, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', (raw.ENVIRONMENT ?? 'local') === 'local', problems),
    secretKey: raw.SECRET_KEY ?? ((raw.ENVIRONMENT ?? 'local') === 'local' ? LOCAL_SECRET_KEY : null),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Where the service's mail goes, by the same rule as loadConfig's mailMode. */
function toolMailSettings(raw: Source, problems: string[]): ToolMailSettings {
  const environment = oneOf(raw, 'ENVIRONMENT', ENVIRONMENTS, 'production', problems);
  const smtp = Boolean(raw.SMTP_HOST && raw.EMAILS_FROM_EMAIL);
  return {
    mode: smtp ? 'smtp' : environment === 'local' ? 'mailbox' : 'off',
    projectName: raw.PROJECT_NAME ?? 'Roster',
    frontendHost: httpUrlList(raw, 'FRONTEND_HOST', 'http://localhost:5173', problems)[0] as string,
    messageIdDomain: raw.EMAILS_FROM_EMAIL?.split('@')[1] ?? 'roster.localhost',
  };
}

function argon2Settings(raw: Source, problems: string[]): Argon2Settings {
  return {
    memoryKib: integer(raw, 'ARGON2_MEMORY_KIB', 19456, problems, { min: 19456, max: 4 * 1024 * 1024 }),
    iterations: integer(raw, 'ARGON2_ITERATIONS', 2, problems, { min: 2, max: 100 }),
    parallelism: integer(raw, 'ARGON2_PARALLELISM', 1, problems, { min: 1, max: 64 }),
  };
}

/**
 * The relying party. A browser accepts a passkey ceremony only where the RP ID is the
 * page's host or a parent domain of it, so an RP ID that does not cover every origin
 * would refuse sign-ins at run time: refused at start-up instead.
 */
function webauthnSettings(raw: Source, config: Config, problems: string[], warnings: string[]): WebAuthnSettings {
  const hostOf = (origin: string) => new URL(origin).hostname.toLowerCase();
  const rpId = (raw.WEBAUTHN_RP_ID ?? hostOf(config.frontendHost)).trim().toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(rpId) || rpId.startsWith('.') || rpId.endsWith('.')) {
    problems.push(`WEBAUTHN_RP_ID must be a domain name such as example.com (no scheme or port), got "${rpId}".`);
    return { rpId, rpName: config.projectName, origins: [] };
  }
  const covers = (origin: string) => {
    const host = hostOf(origin);
    return host === rpId || host.endsWith(`.${rpId}`);
  };
  let origins: string[];
  if (raw.WEBAUTHN_ORIGINS !== undefined) {
    origins = httpUrlList(raw, 'WEBAUTHN_ORIGINS', config.frontendHost, problems);
    for (const origin of origins.filter((entry) => !covers(entry))) {
      problems.push(
        `WEBAUTHN_RP_ID "${rpId}" must be the host, or a parent domain of the host, of every WEBAUTHN_ORIGINS entry; "${origin}" is not under it.`,
      );
    }
  } else {
    // FRONTEND_HOST may list hosts a passkey cannot serve (127.0.0.1 beside localhost): only those under the RP ID.
    origins = config.corsOrigins.filter(covers);
    if (origins.length === 0) {
      problems.push(
        `WEBAUTHN_RP_ID "${rpId}" is not the host, or a parent domain, of any FRONTEND_HOST origin: set WEBAUTHN_ORIGINS.`,
      );
    }
  }
  if (ipaddr.isValid(rpId)) {
    warnings.push(`WEBAUTHN_RP_ID is an IP address (${rpId}): browsers offer passkeys only on a domain name (localhost works).`);
  }
  return { rpId, rpName: raw.WEBAUTHN_RP_NAME ?? config.projectName, origins: origins.map((origin) => new URL(origin).origin) };
}

/** Weak secrets: a warning on a developer's machine, a refusal to start anywhere else. */
function checkSecrets(config: Config, databaseUrl: string | null, problems: string[], warnings: string[]): void {
  const weak: string[] = [];
  if (config.secretKey === WEAK_SECRET) weak.push('SECRET_KEY is "changethis"');
  else if (config.secretKey && Buffer.byteLength(config.secretKey) < MIN_SECRET_BYTES && config.environment !== 'local') {
    weak.push(`SECRET_KEY is shorter than ${MIN_SECRET_BYTES} bytes`);
  }
  if (config.firstSuperuserPassword === WEAK_SECRET) weak.push('FIRST_SUPERUSER_PASSWORD is "changethis"');
  if (databaseUrl && safeUrl(databaseUrl)?.password === WEAK_SECRET) weak.push('the DATABASE_URL password is "changethis"');
  for (const line of weak) {
    if (config.environment === 'local') warnings.push(`${line}: acceptable for local development only.`);
    else problems.push(`${line}: set a strong value to run with ENVIRONMENT=${config.environment}.`);
  }
}

/** Password length bounds, as the API's schemas enforce them for every password set (http/schemas.ts). */
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;

/**
 * Outside local, the first superuser must be an account a stranger cannot guess
 * into, signed by a key that is not in this repository.
 */
function checkBootstrap(config: Config, problems: string[]): void {
  const env = `ENVIRONMENT=${config.environment}`;
  if (config.secretKey === LOCAL_SECRET_KEY) {
    problems.push(`SECRET_KEY is the built-in development key: set your own (openssl rand -base64 48) to run with ${env}.`);
  }
  if (config.firstSuperuser && !isValidEmail(config.firstSuperuser.trim())) {
    problems.push(`FIRST_SUPERUSER must be an email address to run with ${env}, got "${config.firstSuperuser}".`);
  }
  const password = config.firstSuperuserPassword;
  if (!password || password === WEAK_SECRET) return; // already reported
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    problems.push(`FIRST_SUPERUSER_PASSWORD must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters to run with ${env}.`);
  } else if (isCommonPassword(password)) {
    problems.push(`FIRST_SUPERUSER_PASSWORD is on the common-password list: set a strong one to run with ${env}.`);
  }
}

/**
 * Local mode has routes that create accounts without authentication and a mailbox
 * anyone who reaches it can read: it listens only on loopback unless told otherwise.
 */
function checkLocalHost(config: Config, problems: string[]): void {
  if (config.allowLocalOnNetwork || isLoopbackName(config.host)) return;
  problems.push(
    `HOST=${config.host} would expose ENVIRONMENT=local (unauthenticated /private routes and the dev mailbox) to the network: ` +
      'use HOST=127.0.0.1, or set ALLOW_LOCAL_ON_NETWORK=true if that is what you want (e.g. in a container).',
  );
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1 (bracketed or not). */
export function isLoopbackName(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (!ipaddr.isValid(bare)) return false;
  let address = ipaddr.parse(bare);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  return address.range() === 'loopback';
}

function required(raw: Source, name: string, problems: string[]): string {
  const value = raw[name];
  if (value === undefined) {
    problems.push(`${name} is required but not set.`);
    return '';
  }
  return value;
}

function integer(
  raw: Source,
  name: string,
  fallback: number,
  problems: string[],
  range: { min?: number; max?: number } = {},
): number {
  const text = raw[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(value)) {
    problems.push(`${name} must be a whole number, got "${text}".`);
    return fallback;
  }
  if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    problems.push(`${name} must be between ${range.min ?? '-∞'} and ${range.max ?? '∞'}, got ${value}.`);
    return fallback;
  }
  return value;
}

function boolean(raw: Source, name: string, fallback: boolean, problems: string[]): boolean {
  const text = raw[name];
  if (text === undefined) return fallback;
  const normalized = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  problems.push(`${name} must be true or false, got "${text}".`);
  return fallback;
}

function oneOf<T extends string>(raw: Source, name: string, allowed: readonly T[], fallback: T, problems: string[]): T {
  const text = raw[name];
  if (text === undefined) return fallback;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  problems.push(`${name} must be one of ${allowed.join(', ')}, got "${text}".`);
  return fallback;
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** One or more http(s) URLs, comma-separated; never empty (the fallback when every entry is bad). */
function httpUrlList(raw: Source, name: string, fallback: string, problems: string[]): string[] {
  const entries = (raw[name] ?? fallback)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const urls: string[] = [];
  for (const text of entries) {
    const url = safeUrl(text);
    if (!url || !['http:', 'https:'].includes(url.protocol)) {
      problems.push(`${name} must be an http(s) URL (or several, comma-separated), got "${text}".`);
      continue;
    }
    urls.push(text.replace(/\/+$/, ''));
  }
  return urls.length > 0 ? urls : [fallback];
}

/** One http(s) URL without a trailing slash; `fallback` when unset or not a URL (then a problem is recorded). */
function httpUrl(raw: Source, name: string, fallback: string | null, problems: string[]): string | null {
  const text = raw[name]?.trim();
  if (text === undefined) return fallback;
  const url = safeUrl(text);
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    problems.push(`${name} must be an http(s) URL, got "${text}".`);
    return fallback;
  }
  return text.replace(/\/+$/, '');
}

function postgresUrl(raw: Source, problems: string[]): string | null {
  const text = raw.DATABASE_URL;
  if (text === undefined) return null;
  const url = safeUrl(text);
  if (!url || !['postgres:', 'postgresql:'].includes(url.protocol) || (!url.hostname && !url.searchParams.get('host'))) {
    // The URL itself may hold a password: name the problem, not the value.
    problems.push('DATABASE_URL must look like postgres://user:password@host:5432/database.');
    return null;
  }
  return text;
}

/** TRUST_PROXY: false (default), true, a hop count, or a comma-separated list of proxy addresses/CIDRs. */
function trustProxy(raw: Source, problems: string[]): TrustProxy {
  const text = raw.TRUST_PROXY?.trim();
  if (text === undefined) return false;
  const lower = text.toLowerCase();
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  if (['true', 'yes', 'on'].includes(lower)) return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry))) return entries;
  problems.push(
    `TRUST_PROXY must be true, false, a number of proxy hops, or a comma-separated list of addresses, got "${text}".`,
  );
  return false;
}

function redisUrl(raw: Source, problems: string[]): string | null {
  const text = raw.REDIS_URL;
  if (text === undefined) return null;
  const url = safeUrl(text);
  if (!url || !['redis:', 'rediss:'].includes(url.protocol)) {
    problems.push('REDIS_URL must look like redis://host:6379 (or rediss:// for TLS).');
    return null;
  }
  return text;
}
