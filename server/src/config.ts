/**
 * Typed settings. Read once at start-up from the environment, then from a `.env`
 * file at the repository root (the environment wins). Nothing else in the
 * service reads `process.env`: settings are passed in.
 *
 * Every problem found is reported as one clear line; `loadConfig` collects all
 * of them so an operator fixes a bad deployment in one round, not one per start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';
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
  frontendHost: string;
  /** `null`: the embedded PGlite database under `dataDir`. */
  databaseUrl: string | null;
  /** Connections in the PostgreSQL pool of each process (the LISTEN connections come on top). */
  databasePoolSize: number;
  dataDir: string;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `null` when mail is not configured (no SMTP_HOST or no EMAILS_FROM_EMAIL). */
  smtp: SmtpSettings | null;
  /**
   * Where mail goes: `smtp` when configured; `mailbox` (kept in the database and shown
   * at /dev/mailbox) when local without SMTP; `off` otherwise.
   */
  mailMode: 'smtp' | 'mailbox' | 'off';
  /** Sent, failed and kept mail older than this is deleted. */
  emailRetentionDays: number;
  /** Refuse login to accounts whose email is not verified. */
  requireVerifiedLogin: boolean;
  /** A session ends this long after its last refresh. */
  refreshTokenExpireDays: number;
  /** Audit events older than this are deleted. */
  auditRetentionDays: number;
  /** Changing one's email needs a password login this recent, or the current password (0: always the password). */
  reauthWindowMinutes: number;
  argon2: Argon2Settings;
  /** Fastify's `trustProxy`: whether (and which) X-Forwarded-For hops give the client's address. */
  trustProxy: TrustProxy;
  /** `null`: shared counters live in the database; otherwise in this Redis. */
  redisUrl: string | null;
  /** Prepended to every Redis key, so several deployments (or tests) can share one Redis. */
  redisKeyPrefix: string;
  bruteForce: BruteForceSettings;
}

export type TrustProxy = boolean | number | string[];

/** The repository root: where `.env` lives and what a relative DATA_DIR is resolved against. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Values the start command (`npm start`) supplies for a first run on a developer's
 * machine, so that it works with no setup. They apply only when the resolved
 * ENVIRONMENT is `local`, and never override a value that was set.
 */
export function localDefaults(port: string): Record<string, string> {
  return {
    ENVIRONMENT: 'local',
    PROJECT_NAME: 'Roster',
    SECRET_KEY: 'local-development-secret-key-not-for-production-use',
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

/** Reads the environment and the `.env` file at the root; the environment wins. */
export function readSources(env: Source = process.env, envFile = path.join(repoRoot, '.env')): Source {
  let fromFile: Source = {};
  if (fs.existsSync(envFile)) fromFile = parseDotenv(fs.readFileSync(envFile));
  return { ...fromFile, ...definedOnly(env) };
}

function definedOnly(source: Source): Source {
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
}

const ENVIRONMENTS: readonly Environment[] = ['local', 'staging', 'production'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
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
    const defaults = localDefaults(raw.PORT ?? '8000');
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

  const config: Config = {
    environment,
    projectName: required(raw, 'PROJECT_NAME', problems),
    secretKey: required(raw, 'SECRET_KEY', problems),
    accessTokenExpireMinutes: integer(raw, 'ACCESS_TOKEN_EXPIRE_MINUTES', 60 * 24 * 8, problems, { min: 1 }),
    emailResetTokenExpireHours: integer(raw, 'EMAIL_RESET_TOKEN_EXPIRE_HOURS', 48, problems, { min: 1 }),
    firstSuperuser: required(raw, 'FIRST_SUPERUSER', problems),
    firstSuperuserPassword: required(raw, 'FIRST_SUPERUSER_PASSWORD', problems),
    frontendHost: httpUrl(raw, 'FRONTEND_HOST', 'http://localhost:5173', problems),
    databaseUrl,
    databasePoolSize: integer(raw, 'DATABASE_POOL_SIZE', 10, problems, { min: 1, max: 1000 }),
    dataDir: path.resolve(repoRoot, raw.DATA_DIR ?? './data'),
    host: raw.HOST ?? (environment === 'local' ? '127.0.0.1' : '0.0.0.0'),
    port,
    logLevel: oneOf(raw, 'LOG_LEVEL', LOG_LEVELS, 'info', problems),
    smtp: null,
    mailMode: 'off',
    emailRetentionDays: integer(raw, 'EMAIL_RETENTION_DAYS', 30, problems, { min: 1, max: 3650 }),
    requireVerifiedLogin: boolean(raw, 'REQUIRE_VERIFIED_LOGIN', false, problems),
    refreshTokenExpireDays: integer(raw, 'REFRESH_TOKEN_EXPIRE_DAYS', 30, problems, { min: 1, max: 3650 }),
    auditRetentionDays: integer(raw, 'AUDIT_RETENTION_DAYS', 365, problems, { min: 1, max: 36500 }),
    reauthWindowMinutes: integer(raw, 'REAUTH_WINDOW_MINUTES', 10, problems, { min: 0, max: 1440 }),
    argon2: argon2Settings(raw, problems),
    trustProxy: trustProxy(raw, problems),
    redisUrl: redisUrl(raw, problems),
    redisKeyPrefix: raw.REDIS_KEY_PREFIX ?? 'roster:',
    bruteForce: readBruteForceSettings(raw, problems, {
      integer: (name, fallback, range) => integer(raw, name, fallback, problems, range),
      boolean: (name, fallback) => boolean(raw, name, fallback, problems),
    }),
  };

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
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, warnings };
}

/** What the `roster` CLI needs: where the database is and how to hash passwords. */
export type ToolConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'argon2'> & {
  /** REJECT_COMMON_PASSWORDS, as the API applies it to the passwords an admin sets. */
  rejectCommonPasswords: boolean;
};

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
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function argon2Settings(raw: Source, problems: string[]): Argon2Settings {
  return {
    memoryKib: integer(raw, 'ARGON2_MEMORY_KIB', 19456, problems, { min: 19456, max: 4 * 1024 * 1024 }),
    iterations: integer(raw, 'ARGON2_ITERATIONS', 2, problems, { min: 2, max: 100 }),
    parallelism: integer(raw, 'ARGON2_PARALLELISM', 1, problems, { min: 1, max: 64 }),
  };
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

function httpUrl(raw: Source, name: string, fallback: string, problems: string[]): string {
  const text = raw[name] ?? fallback;
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
