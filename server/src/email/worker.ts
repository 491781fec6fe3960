/**
 * Sends the outbox: claims due messages, sends each over SMTP, marks it sent, or
 * schedules a retry with exponential backoff. Runs inside the service process;
 * requests never wait for it. Several processes may run one each. Queued mail
 * wakes every worker when it commits (a NOTIFY, see Outbox); polling catches
 * what a dropped listener missed and the retries that come due.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Listener, ListenHandlers } from '../db/notifications.js';
import type { Clock } from '../utils/clock.js';
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
export type OutboxListen = (handlers: ListenHandlers) => Promise<Listener>;

export class EmailWorker {
  private timer: NodeJS.Timeout | null = null;
  private listener: Listener | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private stopped = true;
  private lastPurge = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly options: WorkerOptions,
    private readonly listen: OutboxListen | null = null,
    private readonly purgeExtra: (before: Date) => Promise<void> = async () => {},
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    if (this.listen) {
      // Notifications missed while not listening are made up by a pass on every (re)connect.
      const wake = () => void this.wake();
      this.listener = await this.listen({ onNotify: wake, onReset: wake }).catch((error: unknown) => {
        this.log.warn({ err: error }, 'cannot listen for queued mail; polling only');
        return null;
      });
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.listener?.close();
    this.listener = null;
    await this.running;
  }

  /** Sends what is due now; resolves when this pass is done. */
  wake(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.rerun && !this.stopped) {
        this.rerun = false;
        void this.wake();
      }
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.wake().finally(() => this.schedule(this.options.pollMs));
    }, delayMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    try {
      await this.purgeIfDue();
      for (;;) {
        if (this.stopped) return;
        const batch = await this.outbox.claimDue(this.options.batchSize, this.options.leaseSeconds);
        if (batch.length === 0) return;
        for (const message of batch) {
          if (this.stopped) return;
          await this.sendOne(message);
        }
      }
    } catch (error) {
      // The database is unreachable or closing: try again at the next poll.
      if (!this.stopped) this.log.warn({ err: error }, 'email outbox pass failed');
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
      if (retryAt) this.schedule(Math.min(delay, this.options.pollMs));
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
