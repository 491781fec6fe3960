/**
 * Progressive lockout after failed logins.
 *
 * Failures count first per account *and* client: after `pairFailures` of them,
 * that client is locked out of that account for `pairLockSeconds`, doubling with
 * each further failure up to `pairMaxLockSeconds`. A guesser is slowed to a crawl
 * while the owner, on another address, is untouched. Only at a much higher count
 * across all clients (`accountFailures`: a distributed attack) is the account itself
 * locked, and then briefly (`accountLockSeconds`, doubling, capped at
 * `accountMaxLockSeconds`), so an attacker cannot keep its owner out for long.
 *
 * A successful login clears its client's failures on that account and makes the
 * address known for `knownAddressDays`: a known address is exempt from the
 * account-wide lock (not from its own pair lock). A password
 * reset clears everything about the account by moving it to a new generation:
 * every key includes the account's generation, so old counters and locks stop
 * counting at once, on every process, without listing them.
 */
import { randomInt } from 'node:crypto';
import type { CounterStore } from './counter-store.js';
import type { LockoutSettings } from './settings.js';

/**
 * Which password check an attempt is: a login, the second-factor code of a login (`second_factor`), or the
 * current password (and code) confirming a change that could take over the account. They share one lockout:
 * a guesser gains nothing by switching routes, or by guessing codes instead of passwords.
 */
export type PasswordCheck =
  | 'login'
  | 'email_change'
  | 'password_change'
  | 'second_factor'
  | 'mfa_change'
  | 'identity_link'
  | 'passkey_change';

/** The most of a submitted username kept anywhere (listeners, the audit log): the longest a login accepts. */
export const MAX_USERNAME_LENGTH = 320;

export interface LockInfo {
  purpose: PasswordCheck;
  /** `account-ip`: one client locked out of one account; `account`: the account, for everyone. */
  scope: 'account-ip' | 'account';
  /** The username as submitted, trimmed, lower-cased and cut to MAX_USERNAME_LENGTH (the account may not exist). */
  username: string;
  ip: string;
  userAgent: string | null;
  failures: number;
  lockSeconds: number;
  lockedUntil: Date;
}

export type LockListener = (info: LockInfo) => void | Promise<void>;

export interface Attempt {
  purpose: PasswordCheck;
  /** The username as submitted (for a change: the caller's email). */
  username: string;
  /** accountKey(username). */
  account: string;
  /** clientKey(ip). */
  client: string;
  /** The raw client address and user agent, for listeners. */
  ip: string;
  userAgent: string | null;
}

/** Generations outlive every counter they prefix. */
const GENERATION_TTL_MS = 30 * 86400_000;
/** A known address's mark is renewed by a login once it is this old. */
const KNOWN_RENEWAL_MS = 86400_000;

/** Never 0 once set (see clearAccount): 0 is the generation of an account never reset. */
const generationKey = (account: string) => `lg:gen:${account}`;

/** The counter keys of an attempt in one generation of its account (see clearAccount). */
function keysFor(attempt: Attempt, generation: number) {
  const base = `${generation}:${attempt.account}`;
  // The client comes first: an address never contains '|', so keys cannot collide.
  const pair = `${attempt.client}|${base}`;
  return {
    pairFailures: `lg:pf:${pair}`,
    pairLock: `lg:pl:${pair}`,
    accountFailures: `lg:af:${base}`,
    accountLock: `lg:al:${base}`,
    // Not in a generation: a reset does not make the owner's own address a stranger.
    known: `lg:kn:${attempt.client}|${attempt.account}`,
  };
}

type AttemptKeys = ReturnType<typeof keysFor>;

/** What a check reads. */
const checkedKeys = (keys: AttemptKeys) => [keys.pairLock, keys.accountLock, keys.known, keys.pairFailures];

/** What `LoginLockout.check` read for one attempt. */
export interface AttemptCheck {
  attempt: Attempt;
  /** The counter keys, resolved to the account's generation at the time of the check. */
  keys: AttemptKeys;
  /** Seconds until this attempt may be made, or `null` if it may be made now. */
  lockedForSeconds: number | null;
  /** This client has failures (or a lock) on this account to forgive. */
  pairHasFailures: boolean;
  /** Until when this client is a known address of the account; `null` if it is not. */
  knownUntilMs: number | null;
}

export class LoginLockout {
  private readonly listeners: LockListener[] = [];

  constructor(
    private readonly store: CounterStore,
    private readonly settings: LockoutSettings,
  ) {}

  /** Calls `listener` whenever a failure starts (or lengthens) a lock; the audit log listens here. */
  onLockTriggered(listener: LockListener): void {
    this.listeners.push(listener);
  }

  /**
   * What the counters say about this attempt: whether it is locked out, and what
   * `recordFailure`/`recordSuccess` need later, so that a login reads them once.
   */
  async check(attempt: Attempt, nowMs: number): Promise<AttemptCheck> {
    // Most accounts never had a reset: guess generation 0 and read the generation
    // with the counters, in one round trip; read again only if the guess was wrong.
    const generationOf = generationKey(attempt.account);
    let keys = keysFor(attempt, 0);
    let found = await this.store.read([generationOf, ...checkedKeys(keys)], nowMs);
    const generation = found.get(generationOf)?.count ?? 0;
    if (generation !== 0) {
      keys = keysFor(attempt, generation);
      found = await this.store.read(checkedKeys(keys), nowMs);
    }
    const known = found.get(keys.known);
    const locks = [found.get(keys.pairLock)];
    // The owner's usual address is exempt from the account-wide lock: a distributed attack slows
    // everyone else down, but does not keep the owner out.
    if (!known) locks.push(found.get(keys.accountLock));
    const until = Math.max(0, ...locks.map((lock) => lock?.expiresAtMs ?? 0));
    return {
      attempt,
      keys,
      lockedForSeconds: until > nowMs ? Math.max(1, Math.ceil((until - nowMs) / 1000)) : null,
      pairHasFailures: found.has(keys.pairFailures) || found.has(keys.pairLock),
      knownUntilMs: known?.expiresAtMs ?? null,
    };
  }

  async recordFailure(check: AttemptCheck, nowMs: number): Promise<LockInfo[]> {
    const { attempt, keys } = check;
    const s = this.settings;
    const triggered = await Promise.all([
      this.count(keys.pairFailures, keys.pairLock, s.pairFailures, s.pairLockSeconds, s.pairMaxLockSeconds, nowMs),
      this.count(keys.accountFailures, keys.accountLock, s.accountFailures, s.accountLockSeconds, s.accountMaxLockSeconds, nowMs),
    ]);
    const locks: LockInfo[] = [];
    triggered.forEach((lock, i) => {
      if (!lock) return;
      locks.push({
        purpose: attempt.purpose,
        scope: i === 0 ? 'account-ip' : 'account',
        username: attempt.username.trim().toLowerCase().slice(0, MAX_USERNAME_LENGTH),
        ip: attempt.ip,
        userAgent: attempt.userAgent,
        failures: lock.failures,
        lockSeconds: lock.seconds,
        lockedUntil: new Date(nowMs + lock.seconds * 1000),
      });
    });
    for (const info of locks) for (const listener of this.listeners) await listener(info);
    return locks;
  }

  /**
   * The right password from this client: its failures on the account are forgiven,
   * and the address is known for `knownAddressDays` more. Most logins have nothing
   * to forgive and a fresh mark, so they write nothing: the mark is renewed at most
   * once a day (a login is on the hot path; see bench row 2).
   */
  async recordSuccess(check: AttemptCheck, nowMs: number): Promise<void> {
    const { keys } = check;
    const knownMs = this.settings.knownAddressDays * 86400_000;
    const renewKnown = knownMs > 0 && (check.knownUntilMs ?? 0) < nowMs + knownMs - KNOWN_RENEWAL_MS;
    await Promise.all([
      check.pairHasFailures ? this.store.remove([keys.pairFailures, keys.pairLock]) : null,
      renewKnown ? this.store.write(keys.known, 1, knownMs, nowMs) : null,
    ]);
  }

  /** The owner proved control of the mailbox (a password reset): every failure and lock on the account ends. */
  async clearAccount(account: string, nowMs: number): Promise<void> {
    await this.store.write(generationKey(account), randomInt(1, 2 ** 31 - 1), GENERATION_TTL_MS, nowMs);
  }

  /** Counts one failure; locks when over the threshold, for base × 2^(failures over it), capped. */
  private async count(
    failuresKey: string,
    lockKey: string,
    threshold: number,
    baseSeconds: number,
    maxSeconds: number,
    nowMs: number,
  ): Promise<{ failures: number; seconds: number } | null> {
    const windowMs = this.settings.windowSeconds * 1000;
    const failures = (await this.store.increment(failuresKey, windowMs, nowMs, 'sliding')).count;
    if (failures < threshold) return null;
    const seconds = Math.min(maxSeconds, baseSeconds * 2 ** Math.min(failures - threshold, 30));
    await Promise.all([
      this.store.write(lockKey, failures, seconds * 1000, nowMs),
      // The failures must outlive the lock they caused, or the next lock would start from the base again.
      this.store.write(failuresKey, failures, windowMs + seconds * 1000, nowMs),
    ]);
    return { failures, seconds };
  }
}
