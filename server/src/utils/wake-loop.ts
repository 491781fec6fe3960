/**
 * The life of a background worker inside the service process: one pass at a time,
 * run when woken (a NOTIFY from the database, or a caller) and on a timer; a wake
 * during a pass runs another pass right after it, so nothing queued meanwhile waits
 * for the next poll. Notifications missed while not listening are made up by a
 * pass on every (re)connect.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Listener, ListenHandlers } from '../db/notifications.js';

export type Listen = (handlers: ListenHandlers) => Promise<Listener>;

export class WakeLoop {
  private timer: NodeJS.Timeout | null = null;
  private listener: Listener | null = null;
  private running: Promise<void> | null = null;
  private rerun = false;
  private halted = true;

  constructor(
    /** One pass; its errors are its own to handle. */
    private readonly pass: () => Promise<void>,
    private readonly pollMs: number,
    private readonly log: FastifyBaseLogger,
    /** What is listened for, for the warning when listening fails. */
    private readonly what: string,
    private readonly listen: Listen | null,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  async start(): Promise<void> {
    this.halted = false;
    if (this.listen) {
      const wake = () => void this.wake();
      this.listener = await this.listen({ onNotify: wake, onReset: wake }).catch((error: unknown) => {
        this.log.warn({ err: error }, `cannot listen for ${this.what}; polling only`);
        return null;
      });
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    await this.listener?.close();
    this.listener = null;
    await this.running;
  }

  /** Runs a pass now (or after the current one); resolves when the pass it joined is done. */
  wake(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = null;
      if (this.rerun && !this.halted) {
        this.rerun = false;
        void this.wake();
      }
    });
    return this.running;
  }

  /** The next timed pass in `delayMs` (then every poll). */
  schedule(delayMs: number): void {
    if (this.halted) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.wake().finally(() => this.schedule(this.pollMs));
    }, delayMs);
    this.timer.unref();
  }
}
