/**
 * Delivers the webhook outbox: claims due deliveries (one per endpoint at a time),
 * signs and POSTs each, and records the outcome with the retry schedule. Runs in
 * every service process beside the email worker; requests never wait for it.
 * A committed event wakes every worker (NOTIFY, migration 0013); polling catches
 * retries that come due and what a dropped listener missed.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Executor } from '../db/client.js';
import type { WebhookEndpointRow } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';
import { type Listen, WakeLoop } from '../utils/wake-loop.js';
import type { AttemptResult, ClaimedDelivery, DeliveryQueue } from './queue.js';
import { MAX_ATTEMPTS, nextAttemptAt, parseRetryAfter } from './schedule.js';
import { UnreadableSecretError, type WebhookSecretBox } from './sealed-secrets.js';
import { signatureHeader } from './secrets.js';
import { sendWebhook, type TargetRules } from './target.js';

export const WEBHOOK_CHANNEL = 'roster_webhooks';

/** A delivery's last error when its endpoint's secret could not be opened, so nothing was sent. */
export const UNREADABLE_SECRET_ERROR =
  "not sent: the endpoint's signing secret cannot be decrypted with this SECRET_KEY (restore that key, or rotate the secret)";

export interface WebhookWorkerOptions {
  pollMs: number;
  /** Endpoints served at once by one process. */
  batchSize: number;
  /** WEBHOOK_TIMEOUT_SECONDS, in ms: a receiver that has not answered by then has failed the attempt. */
  timeoutMs: number;
  /** For the retry schedule's jitter, in [0, 1). */
  random: () => number;
  purgeEveryMs: number;
  retentionDays: number;
}

export const defaultWebhookWorkerOptions: Omit<WebhookWorkerOptions, 'timeoutMs' | 'retentionDays'> = {
  pollMs: 2_000,
  batchSize: 10,
  random: Math.random,
  purgeEveryMs: 3600_000,
};

export class WebhookWorker {
  private readonly loop: WakeLoop;
  private lastPurge = 0;

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly rules: TargetRules,
    private readonly secrets: WebhookSecretBox,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly options: WebhookWorkerOptions,
    /** Roster disabled the endpoint (410, or failing for days), in that transaction. */
    private readonly onDisabled: (tx: Executor, endpoint: WebhookEndpointRow) => Promise<void>,
    listen: Listen | null = null,
  ) {
    this.loop = new WakeLoop(() => this.drain(), options.pollMs, log, 'webhook events', listen);
  }

  /** The lease outlives the longest attempt and its record, so it only runs out when its worker is gone. */
  private get leaseMs(): number {
    return this.options.timeoutMs * 2 + 2_000;
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Delivers what is due now; resolves when this pass is done. */
  wake(): Promise<void> {
    return this.loop.wake();
  }

  private async drain(): Promise<void> {
    try {
      await this.purgeIfDue();
      for (;;) {
        if (this.loop.stopped) return;
        const batch = await this.queue.claim(this.options.batchSize, this.leaseMs);
        if (batch.length === 0) return;
        // One delivery per endpoint: a slow receiver holds up only its own.
        await Promise.all(batch.map((delivery) => this.deliver(delivery)));
      }
    } catch (error) {
      if (!this.loop.stopped) this.log.warn({ err: error }, 'webhook delivery pass failed');
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const sentAt = this.clock.now();
    let secrets: string[];
    try {
      secrets = this.signingSecrets(delivery, sentAt);
    } catch (error) {
      if (!(error instanceof UnreadableSecretError)) throw error;
      await this.notSent(delivery);
      return;
    }
    const outcome = await sendWebhook(
      {
        url: delivery.endpoint.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Roster-Webhooks/1',
          'webhook-id': delivery.messageId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signatureHeader(secrets, delivery.messageId, sentAt, delivery.payload),
        },
        body: delivery.payload,
        timeoutMs: this.options.timeoutMs,
      },
      this.rules,
    );
    const result = this.judge(delivery, outcome);
    if (result.outcome !== 'delivered') {
      this.log.warn(
        { webhook: delivery.endpointId, event: delivery.eventType, attempt: delivery.attempts + 1, result: result.outcome },
        'webhook not delivered',
      );
    }
    await this.queue.record(delivery, result, this.onDisabled);
  }

  /**
   * The endpoint's secret cannot be opened (SECRET_KEY changed): nothing is sent, neither
   * unsigned nor signed with anything else. The attempt fails on the retry schedule, so the
   * delivery goes out once the key is restored or the secret rotated. The log names the
   * endpoint, never a secret.
   */
  private async notSent(delivery: ClaimedDelivery): Promise<void> {
    this.log.error(
      { webhook: delivery.endpointId, event: delivery.eventType, attempt: delivery.attempts + 1 },
      'webhook not sent: its signing secret cannot be decrypted with this SECRET_KEY (restore the key it was sealed with, or rotate the secret)',
    );
    const retryAt = this.retryAt(delivery.attempts + 1, this.clock.now(), null);
    await this.queue.record(
      delivery,
      { outcome: 'failed', status: null, error: UNREADABLE_SECRET_ERROR, retryAt },
      this.onDisabled,
    );
  }

  /** The current secret, and the previous one while a rotation's overlap lasts; throws if one cannot be opened. */
  private signingSecrets(delivery: ClaimedDelivery, at: Date): string[] {
    const { secret, previousSecret, previousSecretExpiresAt } = delivery.endpoint;
    const open = (stored: string) => this.secrets.open(stored, delivery.endpointId);
    const overlapping = previousSecret && previousSecretExpiresAt && previousSecretExpiresAt > at;
    return overlapping ? [open(secret), open(previousSecret)] : [open(secret)];
  }

  private judge(delivery: ClaimedDelivery, outcome: Awaited<ReturnType<typeof sendWebhook>>): AttemptResult {
    const attempts = delivery.attempts + 1;
    const now = this.clock.now();
    if (outcome.kind === 'error') {
      return { outcome: 'failed', status: null, error: outcome.message, retryAt: this.retryAt(attempts, now, null) };
    }
    const { status } = outcome;
    if (status >= 200 && status < 300) return { outcome: 'delivered', status };
    if (status === 410) return { outcome: 'gone', status };
    const retryAfter = parseRetryAfter(outcome.retryAfter, now);
    return {
      outcome: 'failed',
      status,
      error: `the receiver answered ${status}`,
      retryAt: this.retryAt(attempts, now, retryAfter),
    };
  }

  private retryAt(attempts: number, now: Date, retryAfterSeconds: number | null): Date | null {
    if (attempts >= MAX_ATTEMPTS) return null;
    const at = nextAttemptAt(attempts, now, this.options.random, retryAfterSeconds);
    if (at) this.loop.schedule(Math.min(at.getTime() - now.getTime(), this.options.pollMs));
    return at;
  }

  private async purgeIfDue(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPurge < this.options.purgeEveryMs) return;
    this.lastPurge = now;
    await this.queue.purge(new Date(now - this.options.retentionDays * 86_400_000));
  }
}
