/**
 * Sends the outbox: claims due messages, sends each over SMTP, marks it sent, or
 * schedules a retry with exponential backoff. Runs inside the service process;
 * requests never wait for it. Several processes may run one each. Queued mail
 * wakes every worker when it commits (a NOTIFY, see Outbox); polling catches
 * what a dropped listener missed and the retries that come due.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../utils/clock.js';
import { type Listen, WakeLoop } from '../utils/wake-loop.js';
import type { Mailer } from './mailer.js';
import type { Outbox } from './outbox.js';

export interface WorkerOptions {
  /** How often to look for due mail when nothing wakes the worker. */
  pollMs: number;
  /** First retry delay; doubles per attempt up to `maxRetryMs`. */
  retryBaseMs: number;
  maxRetryMs: number;
  /** Attempts before a message is marked failed. */
  maxAttempts: number;
  /** A claim's lease: longer than the worst SMTP exchange (the mailer's timeouts add up to 40 s). */
  leaseSeconds: number;
  batchSize: number;
  /** How often to delete old mail. */
  purgeEveryMs: number;
  retentionDays: number;
}

export const defaultWorkerOptions: WorkerOptions = {
  pollMs: 2_000,
  retryBaseMs: 5_000,
  maxRetryMs: 30 * 60_000,
  maxAttempts: 15,
  leaseSeconds: 120,
  batchSize: 20,
  purgeEveryMs: 3600_000,
  retentionDays: 30,
};

/** Subscribes to the outbox's notifications (a DbHandle's `listen` on OUTBOX_CHANNEL). */
export type OutboxListen = Listen;

export class EmailWorker {
  private readonly loop: WakeLoop;
  private lastPurge = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly options: WorkerOptions,
    listen: OutboxListen | null = null,
    private readonly purgeExtra: (before: Date) => Promise<void> = async () => {},
  ) {
    this.loop = new WakeLoop(() => this.drain(), options.pollMs, log, 'queued mail', listen);
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Sends what is due now; resolves when this pass is done. */
  wake(): Promise<void> {
    return this.loop.wake();
  }

  private async drain(): Promise<void> {
    try {
      await this.purgeIfDue();
      for (;;) {
        if (this.loop.stopped) return;
        const batch = await this.outbox.claimDue(this.options.batchSize, this.options.leaseSeconds);
        if (batch.length === 0) return;
        for (const message of batch) {
          if (this.loop.stopped) return;
          await this.sendOne(message);
        }
      }
    } catch (error) {
      // The database is unreachable or closing: try again at the next poll.
      if (!this.loop.stopped) this.log.warn({ err: error }, 'email outbox pass failed');
    }
  }

  private async sendOne(message: Awaited<ReturnType<Outbox['claimDue']>>[number]): Promise<void> {
    try {
      await this.mailer.send(message.toAddress, message, { messageId: message.messageId });
      await this.outbox.markSent(message.id);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const giveUp = message.attempts >= this.options.maxAttempts;
      const delay = Math.min(this.options.retryBaseMs * 2 ** (message.attempts - 1), this.options.maxRetryMs);
      const retryAt = giveUp ? null : new Date(this.clock.now().getTime() + delay);
      await this.outbox.markFailed(message.id, reason, retryAt);
      this.log.warn({ kind: message.kind, attempts: message.attempts, giveUp, reason }, 'email not sent');
      if (retryAt) this.loop.schedule(Math.min(delay, this.options.pollMs));
    }
  }

  private async purgeIfDue(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPurge < this.options.purgeEveryMs) return;
    this.lastPurge = now;
    const before = new Date(now - this.options.retentionDays * 86_400_000);
    await this.outbox.purge(before);
    await this.purgeExtra(before);
  }
}
