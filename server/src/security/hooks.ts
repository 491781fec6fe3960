/**
 * Wires brute-force protection into the app with root-level hooks, from one table
 * of the routes it guards, so the route modules stay about their own contract.
 *
 * - preHandler (after authentication and validation, before the handler does any
 *   hashing): rate limits, the login lock check, and the common-password refusal.
 * - onError / onSend (before the response leaves, so the next request already sees
 *   it): a password check's outcome feeds the lockout; a successful reset clears the account.
 *
 * A password check is a login, or the current password that confirms an email or
 * password change: all count under one lockout and the login limits, so a stolen
 * session cannot guess the password (or make Roster hash) faster than a login could.
 *
 * If the counters are unreachable (Redis down), requests are let through and the
 * failure is logged: an outage of the limiter must not become an outage of login.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, Messages, ValidationError } from '../errors.js';
import type { Clock } from '../utils/clock.js';
import { isCommonPassword } from './common-passwords.js';
import { accountKey, clientKey } from './keys.js';
import type { Attempt, AttemptCheck, PasswordCheck } from './login-lockout.js';
import type { BruteForceProtection } from './protection.js';
import type { LimitCheck } from './rate-limiter.js';
import type { RateLimits } from './settings.js';

const PREFIX = '/api/v1';
const SWEEP_INTERVAL_MS = 60_000;

interface Rule {
  /** The limits this request counts against. */
  limits?(request: FastifyRequest, limits: RateLimits, client: string): LimitCheck[];
  /** The body field holding a new password, refused when common. */
  newPassword?: 'password' | 'new_password';
  /**
   * The password this route checks: a login's, or the caller's `current_password` (when sent) on a change.
   * Such a request is refused while its account is locked for its address, and counts against the login
   * limits: per address always, per account only when it gets as far as the check.
   */
  passwordCheck?: PasswordCheck;
  reset?: true;
}

const field = (request: FastifyRequest, name: string): string | null => {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : null;
};
const account = (value: string | null | undefined) => (value ? accountKey(value) : null);

const loginPerIp: Rule['limits'] = (_request, limits, client) => [
  { name: 'login-ip', limit: limits.loginPerIp, subject: client },
];

/** Every guarded route, by method and route pattern. */
export const RULES: Record<string, Rule> = {
  [`POST ${PREFIX}/login/access-token`]: { passwordCheck: 'login' },
  [`POST ${PREFIX}/login/mfa`]: { passwordCheck: 'second_factor' },
  [`POST ${PREFIX}/login/mfa/enroll/confirm`]: { passwordCheck: 'second_factor' },
  [`POST ${PREFIX}/users/me/mfa/totp`]: { passwordCheck: 'mfa_change' },
  [`DELETE ${PREFIX}/users/me/mfa/totp`]: { passwordCheck: 'mfa_change' },
  [`POST ${PREFIX}/users/me/mfa/recovery-codes`]: { passwordCheck: 'mfa_change' },
  [`POST ${PREFIX}/users/signup`]: {
    newPassword: 'password',
    limits: (request, limits, client) => [
      { name: 'signup-ip', limit: limits.signupPerIp, subject: client },
      { name: 'signup-email', limit: limits.signupPerEmail, subject: account(field(request, 'email')) },
    ],
  },
  [`POST ${PREFIX}/password-recovery/:email`]: {
    limits: (request, limits, client) => [
      { name: 'recovery-ip', limit: limits.recoveryPerIp, subject: client },
      { name: 'recovery-email', limit: limits.recoveryPerEmail, subject: account((request.params as { email?: string }).email) },
    ],
  },
  [`POST ${PREFIX}/reset-password/`]: {
    reset: true,
    newPassword: 'new_password',
    limits: (_request, limits, client) => [{ name: 'reset-ip', limit: limits.resetPerIp, subject: client }],
  },
  [`POST ${PREFIX}/users/me/verification-email`]: {
    limits: (request, limits, client) => [
      { name: 'verification-ip', limit: limits.verificationPerIp, subject: client },
      { name: 'verification-user', limit: limits.verificationPerUser, subject: request.currentUser?.id ?? null },
    ],
  },
  [`POST ${PREFIX}/users/`]: { newPassword: 'password' },
  [`PATCH ${PREFIX}/users/:user_id`]: { newPassword: 'password' },
  [`PATCH ${PREFIX}/users/me`]: { passwordCheck: 'email_change' },
  [`PATCH ${PREFIX}/users/me/password`]: { newPassword: 'new_password', passwordCheck: 'password_change' },
  [`POST ${PREFIX}/users/me/identities/:provider/link`]: { passwordCheck: 'identity_link' },
  [`POST ${PREFIX}/users/me/passkeys/registration-options`]: { passwordCheck: 'passkey_change' },
  [`DELETE ${PREFIX}/users/me/passkeys/:passkey_id`]: { passwordCheck: 'passkey_change' },
  // Anyone may ask for a sign-in challenge (a stored row) and answer one: the login's per-address limit.
  [`POST ${PREFIX}/login/passkey/options`]: { limits: loginPerIp },
  [`POST ${PREFIX}/login/passkey`]: { limits: loginPerIp },
};

/**
 * The password attempt a request makes, if any: a login's, a second-factor step's (its account is the one
 * the `mfa_token` was issued to), or a change's `current_password` (checked against the caller).
 */
async function attemptOf(
  request: FastifyRequest,
  purpose: PasswordCheck,
  client: string,
  protection: BruteForceProtection,
): Promise<Attempt | null> {
  let username: string;
  if (purpose === 'login') {
    username = field(request, 'username') ?? '';
  } else if (purpose === 'second_factor') {
    const token = field(request, 'mfa_token');
    // An unknown token is answered without checking any code: it costs no account anything.
    const email = token ? await protection.emailOfMfaToken(token) : null;
    if (email === null) return null;
    username = email;
  } else {
    if (field(request, 'current_password') === null || !request.currentUser) return null;
    username = request.currentUser.email;
  }
  const userAgent = request.headers['user-agent'] ?? null;
  return { purpose, username, account: accountKey(username), client, ip: request.ip, userAgent };
}

/** What a failed password (or code) check answers, by route: only these count as failures. */
const WRONG_PASSWORD: Record<PasswordCheck, readonly string[]> = {
  login: [Messages.incorrectLogin],
  email_change: [Messages.incorrectPassword, Messages.invalidMfaCode],
  password_change: [Messages.incorrectPassword],
  second_factor: [Messages.invalidMfaCode],
  mfa_change: [Messages.incorrectPassword, Messages.invalidMfaCode],
  identity_link: [Messages.incorrectPassword],
  passkey_change: [Messages.incorrectPassword, Messages.invalidMfaCode],
};

/** Every route under /private (registered only with ENVIRONMENT=local). */
const PRIVATE_RULE: Rule = {
  limits: (_request, limits, client) => [{ name: 'private-ip', limit: limits.privatePerIp, subject: client }],
};

function ruleFor(request: FastifyRequest): Rule | undefined {
  const url = request.routeOptions.url;
  if (!url) return undefined;
  return RULES[`${request.method} ${url}`] ?? (url.startsWith(`${PREFIX}/private/`) ? PRIVATE_RULE : undefined);
}

const inSeconds = (seconds: number) => `${seconds} second${seconds === 1 ? '' : 's'}`;

interface LoginState {
  check: AttemptCheck;
  failed: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by brute-force protection on requests that check a password (a login, a change's current password). */
    loginAttempt: LoginState | null;
  }
}

export function installBruteForceProtection(app: FastifyInstance, protection: BruteForceProtection, clock: Clock): void {
  const settings = protection.settings;
  const now = () => clock.now().getTime();
  app.decorateRequest('loginAttempt', null);

  /** Runs counter work; on a store failure logs and returns `undefined` (fail open). */
  async function guarded<T>(request: FastifyRequest, work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      request.log.error({ err: error }, 'brute-force counters unavailable; request allowed');
      return undefined;
    }
  }

  /** Counts the request against `checks`; refuses it (429) when over any, reporting a limit's first refusal. */
  async function enforceLimits(request: FastifyRequest, checks: LimitCheck[]): Promise<void> {
    if (!settings.rateLimitEnabled || checks.length === 0) return;
    const over = await guarded(request, () => protection.limiter.hit(checks, now()));
    if (!over) return;
    if (over.firstRefusals.length > 0) {
      const refusal = {
        limits: over.firstRefusals,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        userId: request.currentUser?.id ?? null,
      };
      // A report that cannot be written must not turn the refusal into a 500.
      await protection.reportRateLimited(refusal).catch((error: unknown) => {
        request.log.error({ err: error }, 'recording a rate-limit refusal failed');
      });
    }
    throw new HttpError(429, `Too many requests; try again in ${inSeconds(over.retryAfterSeconds)}`, {
      'Retry-After': String(over.retryAfterSeconds),
    });
  }

  app.addHook('preHandler', async (request) => {
    const rule = ruleFor(request);
    if (!rule) return;
    const client = clientKey(request.ip);
    const limits = settings.limits;

    const attempt = rule.passwordCheck
      ? ((await guarded(request, () => attemptOf(request, rule.passwordCheck as PasswordCheck, client, protection))) ?? null)
      : null;
    let lockedFor: number | null = null;
    if (attempt) {
      const check = await guarded(request, () => protection.lockout.check(attempt, now()));
      // Without a check (counters unreachable) the attempt goes ahead uncounted.
      request.loginAttempt = check ? { check, failed: false } : null;
      lockedFor = check?.lockedForSeconds ?? null;
    }

    // Every request counts against its address's limits, one refused by a lock too: those are the sender's own.
    const perRequest = rule.limits?.(request, limits, client) ?? [];
    if (attempt) perRequest.push({ name: 'login-ip', limit: limits.loginPerIp, subject: client });
    await enforceLimits(request, perRequest);

    if (lockedFor) {
      // Refused before the password is even checked: a lock holds against the right password too.
      throw new HttpError(429, `Too many failed login attempts; try again in ${inSeconds(lockedFor)}`, {
        'Retry-After': String(lockedFor),
      });
    }

    if (settings.rejectCommonPasswords && rule.newPassword) {
      const password = field(request, rule.newPassword);
      if (password !== null && isCommonPassword(password)) {
        throw new ValidationError([{ loc: ['body', rule.newPassword], msg: 'Password is too common', type: 'value_error' }]);
      }
    }

    if (attempt) {
      // Only a request that reaches the password check spends the account's budget: one already refused
      // (by a lock) costs the guesser's address, never the owner. An address the owner logged in from is
      // exempt, as from the account-wide lock: others spending the budget must not keep the owner out of
      // their usual place.
      const known = request.loginAttempt?.check.knownUntilMs;
      await enforceLimits(request, [
        { name: 'login-account', limit: limits.loginPerAccount, subject: known ? null : attempt.account },
      ]);
    }
  });

  // Only a wrong password counts: an inactive or unverified account gave the right one.
  app.addHook('onError', async (request, _reply, error) => {
    const state = request.loginAttempt;
    if (state && error instanceof HttpError && WRONG_PASSWORD[state.check.attempt.purpose].includes(error.detail)) {
      state.failed = true;
    }
  });

  app.addHook('onSend', async (request, reply) => {
    const state = request.loginAttempt;
    if (state) {
      if (state.failed) await guarded(request, () => protection.lockout.recordFailure(state.check, now()));
      else if (reply.statusCode === 200) await guarded(request, () => protection.lockout.recordSuccess(state.check, now()));
      return;
    }
    if (reply.statusCode === 200 && ruleFor(request)?.reset) {
      const token = field(request, 'token');
      await guarded(request, async () => {
        const resetAccount = token ? await protection.accountOfResetToken(token) : null;
        if (resetAccount) await protection.lockout.clearAccount(resetAccount, now());
      });
    }
  });

  // A renamed route must not silently lose its protection.
  app.addHook('onReady', async () => {
    for (const key of Object.keys(RULES)) {
      const [method, url] = key.split(' ') as [string, string];
      if (!app.hasRoute({ method: method as 'POST', url })) throw new Error(`brute-force protection: no route ${key}`);
    }
  });

  let sweeper: NodeJS.Timeout | null = null;
  app.addHook('onReady', async () => {
    sweeper = setInterval(() => {
      protection.store.sweep(now()).catch((error) => app.log.error({ err: error }, 'sweeping expired counters failed'));
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
  });
  app.addHook('onClose', async () => {
    if (sweeper) clearInterval(sweeper);
    await protection.close();
  });
}
