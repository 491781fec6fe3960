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
 * A successful login clears its client's failures on that account. A password
 * reset clears everything about the account by moving it to a new generation:
 * every key includes the account's generation, so old counters and locks stop
 * counting at once, on every process, without listing them.
 */
import { randomInt } from 'node:crypto';
import type { CounterStore } from './counter-store.js';
import type { LockoutSettings } from './settings.js';

export interface LockInfo {
  /** `account-ip`: one client locked out of one account; `account`: the account, for everyone. */
  scope: 'account-ip' | 'account';
  /** The username as submitted, trimmed and lower-cased (the account may not exist). */
  username: string;
  ip: string;
  failures: number;
  lockSeconds: number;
  lockedUntil: Date;
}

export type LockListener = (info: LockInfo) => void | Promise<void>;

export interface Attempt {
  /** The username as submitted. */
  username: string;
  /** accountKey(username). */
  account: string;
  /** clientKey(ip). */
  client: string;
  /** The raw client address, for listeners. */
  ip: string;
}

/** Generations outlive every counter they prefix. */
const GENERATION_TTL_MS = 30 * 86400_000;

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

  /** Seconds until this attempt may be made, or `null` if it may be made now. */
  async lockedFor(attempt: Attempt, nowMs: number): Promise<number | null> {
    const keys = await this.keys(attempt, nowMs);
    const locks = await this.store.read([keys.pairLock, keys.accountLock], nowMs);
    const until = Math.max(0, ...[...locks.values()].map((lock) => lock.expiresAtMs));
    return until > nowMs ? Math.max(1, Math.ceil((until - nowMs) / 1000)) : null;
  }

  async recordFailure(attempt: Attempt, nowMs: number): Promise<LockInfo[]> {
    const keys = await this.keys(attempt, nowMs);
    const s = this.settings;
    const triggered = await Promise.all([
      this.count(keys.pairFailures, keys.pairLock, s.pairFailures, s.pairLockSeconds, s.pairMaxLockSeconds, nowMs),
      this.count(keys.accountFailures, keys.accountLock, s.accountFailures, s.accountLockSeconds, s.accountMaxLockSeconds, nowMs),
    ]);
    const locks: LockInfo[] = [];
    triggered.forEach((lock, i) => {
      if (!lock) return;
      locks.push({
        scope: i === 0 ? 'account-ip' : 'account',
        username: attempt.username.trim().toLowerCase(),
        ip: attempt.ip,
        failures: lock.failures,
        lockSeconds: lock.seconds,
        lockedUntil: new Date(nowMs + lock.seconds * 1000),
      });
    });
    for (const info of locks) for (const listener of this.listeners) await listener(info);
    return locks;
  }

  /** The right password from this client: its failures on the account are forgiven. */
  async recordSuccess(attempt: Attempt, nowMs: number): Promise<void> {
    const keys = await this.keys(attempt, nowMs);
    await this.store.remove([keys.pairFailures, keys.pairLock]);
  }

  /** The owner proved control of the mailbox (a password reset): every failure and lock on the account ends. */
  async clearAccount(account: string, nowMs: number): Promise<void> {
    await this.store.write(`lg:gen:${account}`, randomInt(1, 2 ** 31 - 1), GENERATION_TTL_MS, nowMs);
  }

  private async keys(attempt: Attempt, nowMs: number) {
    const generation = (await this.store.read([`lg:gen:${attempt.account}`], nowMs)).get(`lg:gen:${attempt.account}`);
    const base = `${generation?.count ?? 0}:${attempt.account}`;
    // The client comes first: an address never contains '|', so keys cannot collide.
    const pair = `${attempt.client}|${base}`;
    return {
      pairFailures: `lg:pf:${pair}`,
      pairLock: `lg:pl:${pair}`,
      accountFailures: `lg:af:${base}`,
      accountLock: `lg:al:${base}`,
    };
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
