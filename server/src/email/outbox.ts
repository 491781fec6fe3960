/**
 * The email outbox. A message is written in the same transaction as the change
 * that causes it, so a committed change always has its mail and a rolled-back
 * one never does. Workers claim due rows with `FOR UPDATE SKIP LOCKED` and a
 * lease, so two processes never hold the same row, and a row whose worker died
 * mid-send is claimed again when its lease runs out (at-least-once delivery;
 * the stable Message-ID makes a duplicate recognisable).
 */

import { randomUUID } from 'node:crypto';
import { and, count, desc, eq, ilike, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.js';
import { emailOutbox, type OutboxRow } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';
import type { EmailContent, MfaChange } from './templates.js';

export type EmailKind =
  | 'password_reset'
  | 'new_account'
  | 'verify_email'
  | 'email_changed'
  | 'password_changed'
  | 'passkey_added'
  | 'passkey_removed'
  | `mfa_${MfaChange}`
  | 'webhook_disabled'
  | 'org_invitation'
  | 'test';

export interface OutboxOptions {
  /** `kept` rows are the local dev mailbox: stored, never sent. */
  keepOnly: boolean;
  /** Domain for Message-IDs (the sender's domain). */
  messageIdDomain: string;
  clock: Clock;
}

export interface MailboxSearchTerm {
  field: 'to' | 'subject' | 'any';
  word: string;
}

/** LIKE treats `%`, `_` and `\\` specially; a searched address is matched literally. */
function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** Notified when queued mail commits (migration 0007), in every process. */
export const OUTBOX_CHANNEL = 'roster_outbox';

export class Outbox {
  constructor(
    private readonly db: Database,
    private readonly options: OutboxOptions,
  ) {}

  /** Writes a message in the caller's transaction; workers hear of it when that commits. */
  async enqueue(tx: Executor, kind: EmailKind, to: string, content: EmailContent): Promise<void> {
    const id = randomUUID();
    await tx.insert(emailOutbox).values({
      id,
      messageId: `<${id}@${this.options.messageIdDomain}>`,
      kind,
      toAddress: to,
      subject: content.subject,
      html: content.html,
      text: content.text,
      status: this.options.keepOnly ? 'kept' : 'pending',
      createdAt: this.options.clock.now(),
      sendAfter: this.options.clock.now(),
    });
  }

  /** Claims up to `limit` due messages for `leaseSeconds`. */
  async claimDue(limit: number, leaseSeconds: number): Promise<OutboxRow[]> {
    const now = this.options.clock.now();
    const leaseEnd = new Date(now.getTime() + leaseSeconds * 1000);
    const due = this.db
      .select({ id: emailOutbox.id })
      .from(emailOutbox)
      .where(
        and(
          eq(emailOutbox.status, 'pending'),
          sql`${emailOutbox.sendAfter} <= ${now}`,
          sql`(${emailOutbox.lockedUntil} IS NULL OR ${emailOutbox.lockedUntil} <= ${now})`,
        ),
      )
      .orderBy(emailOutbox.sendAfter)
      .limit(limit)
      .for('update', { skipLocked: true });
    return this.db
      .update(emailOutbox)
      .set({ lockedUntil: leaseEnd, attempts: sql`${emailOutbox.attempts} + 1` })
      .where(inArray(emailOutbox.id, due))
      .returning();
  }

  async markSent(id: string): Promise<void> {
    await this.db
      .update(emailOutbox)
      .set({ status: 'sent', sentAt: this.options.clock.now(), lockedUntil: null, lastError: null })
      .where(eq(emailOutbox.id, id));
  }

  /** Schedules another attempt at `retryAt`, or gives up (`null`). */
  async markFailed(id: string, error: string, retryAt: Date | null): Promise<void> {
    await this.db
      .update(emailOutbox)
      .set(
        retryAt
          ? { lastError: error.slice(0, 500), sendAfter: retryAt, lockedUntil: null }
          : { lastError: error.slice(0, 500), status: 'failed', lockedUntil: null },
      )
      .where(eq(emailOutbox.id, id));
  }

  /** Deletes everything but pending mail older than `before`. */
  async purge(before: Date): Promise<void> {
    await this.db.delete(emailOutbox).where(and(lt(emailOutbox.createdAt, before), sql`${emailOutbox.status} <> 'pending'`));
  }

  /** The dev mailbox (and tests): newest first. */
  async list(skip: number, limit: number): Promise<{ rows: OutboxRow[]; count: number }> {
    const [rows, [total]] = await Promise.all([
      this.db.select().from(emailOutbox).orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id)).offset(skip).limit(limit),
      this.db.select({ value: count() }).from(emailOutbox),
    ]);
    return { rows, count: Number(total?.value ?? 0) };
  }

  /**
   * Mailpit-style search for the dev mailbox: every word must occur (case-insensitively) in the
   * recipient (`to:word`), the subject (`subject:word`) or either (a bare word). Newest first.
   */
  async search(terms: MailboxSearchTerm[], skip: number, limit: number): Promise<{ rows: OutboxRow[]; count: number }> {
    const conditions = terms.map((term): SQL | undefined => {
      const pattern = `%${escapeLike(term.word)}%`;
      if (term.field === 'to') return ilike(emailOutbox.toAddress, pattern);
      if (term.field === 'subject') return ilike(emailOutbox.subject, pattern);
      return sql`(${ilike(emailOutbox.toAddress, pattern)} OR ${ilike(emailOutbox.subject, pattern)})`;
    });
    const where = and(...conditions);
    const [rows, [total]] = await Promise.all([
      this.db
        .select()
        .from(emailOutbox)
        .where(where)
        .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
        .offset(skip)
        .limit(limit),
      this.db.select({ value: count() }).from(emailOutbox).where(where),
    ]);
    return { rows, count: Number(total?.value ?? 0) };
  }

  async get(id: string): Promise<OutboxRow | null> {
    const [row] = await this.db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    return row ?? null;
  }

  async clear(): Promise<void> {
    await this.db.delete(emailOutbox);
  }
}
