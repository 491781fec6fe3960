/**
 * The brute-force protection settings: rate limits, login lockout, common-password
 * refusal. Read by config.ts with the rest; defaults are sized in the README
 * ("Brute-force protection") against what one machine can hash.
 */

/** At most `max` requests per `windowSeconds` (a fixed window that starts with the first request). */
export interface Limit {
  max: number;
  windowSeconds: number;
}

/** Every rate-limited action and the key it counts by. `null` turns a limit off. */
export interface RateLimits {
  loginPerIp: Limit | null;
  loginPerAccount: Limit | null;
  signupPerIp: Limit | null;
  signupPerEmail: Limit | null;
  recoveryPerIp: Limit | null;
  recoveryPerEmail: Limit | null;
  resetPerIp: Limit | null;
  verificationPerIp: Limit | null;
  verificationPerUser: Limit | null;
  privatePerIp: Limit | null;
}

export interface LockoutSettings {
  /** Failed logins on one account from one client address before that pair is locked. */
  pairFailures: number;
  pairLockSeconds: number;
  pairMaxLockSeconds: number;
  /** Failed logins on one account from all addresses before the account itself is locked. */
  accountFailures: number;
  accountLockSeconds: number;
  accountMaxLockSeconds: number;
  /** Failures count until this long after the last one (plus any lock they caused). */
  windowSeconds: number;
  /** An address that logged in to an account is exempt from that account's account-wide lock this long (0: never). */
  knownAddressDays: number;
}

export interface BruteForceSettings {
  rateLimitEnabled: boolean;
  limits: RateLimits;
  lockout: LockoutSettings;
  rejectCommonPasswords: boolean;
}

interface Readers {
  integer(name: string, fallback: number, range?: { min?: number; max?: number }): number;
  boolean(name: string, fallback: boolean): boolean;
}

/** The defaults, as `<max>/<window>`; see the README for why these numbers. */
export const DEFAULT_LIMITS: Record<keyof RateLimits, [env: string, spec: string]> = {
  loginPerIp: ['RATE_LIMIT_LOGIN_PER_IP', '30/1m'],
  loginPerAccount: ['RATE_LIMIT_LOGIN_PER_ACCOUNT', '10/1m'],
  signupPerIp: ['RATE_LIMIT_SIGNUP_PER_IP', '10/1h'],
  signupPerEmail: ['RATE_LIMIT_SIGNUP_PER_EMAIL', '5/1h'],
  recoveryPerIp: ['RATE_LIMIT_RECOVERY_PER_IP', '20/1h'],
  recoveryPerEmail: ['RATE_LIMIT_RECOVERY_PER_EMAIL', '5/1h'],
  resetPerIp: ['RATE_LIMIT_RESET_PER_IP', '20/1h'],
  verificationPerIp: ['RATE_LIMIT_VERIFICATION_PER_IP', '30/1h'],
  verificationPerUser: ['RATE_LIMIT_VERIFICATION_PER_USER', '10/1h'],
  privatePerIp: ['RATE_LIMIT_PRIVATE_PER_IP', '600/1m'],
};

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600, d: 86400 };

/** `30/1m`, `10/1h`, `5/90s`; `off` (or `0`) disables the limit. `null` when the text is not one of those. */
export function parseLimit(text: string): Limit | null | 'invalid' {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off' || trimmed === '0') return null;
  const match = /^(\d+)\s*\/\s*(\d*)\s*(s|m|min|h|d)$/.exec(trimmed);
  if (!match) return 'invalid';
  const max = Number(match[1]);
  const windowSeconds = Number(match[2] || '1') * (UNIT_SECONDS[match[3] as string] as number);
  if (max < 1 || windowSeconds < 1 || !Number.isSafeInteger(max) || windowSeconds > 7 * 86400) return 'invalid';
  return { max, windowSeconds };
}

/**
 * `isLocal`: ENVIRONMENT=local, where rate limits default to off (a developer's own
 * end-to-end suite must not meet 429s); the lockout applies everywhere.
 */
export function readBruteForceSettings(
  raw: Record<string, string | undefined>,
  problems: string[],
  read: Readers,
  isLocal = false,
): BruteForceSettings {
  const limits = {} as RateLimits;
  for (const [field, [env, fallback]] of Object.entries(DEFAULT_LIMITS) as [keyof RateLimits, [string, string]][]) {
    const text = raw[env] ?? fallback;
    const parsed = parseLimit(text);
    if (parsed === 'invalid') {
      problems.push(`${env} must look like 30/1m (requests per s, m, h or d) or off, got "${text}".`);
      limits[field] = parseLimit(fallback) as Limit;
    } else {
      limits[field] = parsed;
    }
  }
  const seconds = { min: 1, max: 7 * 86400 };
  const lockout: LockoutSettings = {
    pairFailures: read.integer('LOGIN_LOCK_AFTER_FAILURES', 5, { min: 1 }),
    pairLockSeconds: read.integer('LOGIN_LOCK_SECONDS', 60, seconds),
    pairMaxLockSeconds: read.integer('LOGIN_LOCK_MAX_SECONDS', 3600, seconds),
    accountFailures: read.integer('LOGIN_ACCOUNT_LOCK_AFTER_FAILURES', 50, { min: 1 }),
    accountLockSeconds: read.integer('LOGIN_ACCOUNT_LOCK_SECONDS', 60, seconds),
    accountMaxLockSeconds: read.integer('LOGIN_ACCOUNT_LOCK_MAX_SECONDS', 300, seconds),
    windowSeconds: read.integer('LOGIN_FAILURE_WINDOW_SECONDS', 900, seconds),
    knownAddressDays: read.integer('LOGIN_KNOWN_ADDRESS_DAYS', 30, { min: 0, max: 365 }),
  };
  if (lockout.pairMaxLockSeconds < lockout.pairLockSeconds) {
    problems.push('LOGIN_LOCK_MAX_SECONDS must be at least LOGIN_LOCK_SECONDS.');
  }
  if (lockout.accountMaxLockSeconds < lockout.accountLockSeconds) {
    problems.push('LOGIN_ACCOUNT_LOCK_MAX_SECONDS must be at least LOGIN_ACCOUNT_LOCK_SECONDS.');
  }
  return {
    rateLimitEnabled: read.boolean('RATE_LIMIT_ENABLED', !isLocal),
    limits,
    lockout,
    rejectCommonPasswords: read.boolean('REJECT_COMMON_PASSWORDS', true),
  };
}
