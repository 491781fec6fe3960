/** The stored passkeys: queries only; the rules are in service.ts. */
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { type PasskeyRow, passkeys, users } from '../db/schema.js';
import type { Assertion, NewCredential } from './ceremonies.js';

/** Whether `error` is the unique index on credential ids refusing a second copy. */
export function isDuplicateCredential(error: unknown): boolean {
  const cause = (error as { cause?: unknown })?.cause ?? error;
  const { code, constraint } = (cause ?? {}) as { code?: string; constraint?: string };
  return code === '23505' && (constraint === undefined || constraint === 'passkey_credential_id_key');
}

export class PasskeyStore {
  constructor(private readonly db: Executor) {}

  list(userId: string, tx: Executor = this.db): Promise<PasskeyRow[]> {
    return tx.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id));
  }

  async count(userId: string, tx: Executor = this.db): Promise<number> {
    const [row] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
    return row?.n ?? 0;
  }

  async byCredentialId(credentialId: string): Promise<PasskeyRow | null> {
    const [row] = await this.db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId));
    return row ?? null;
  }

  async get(userId: string, id: string, tx: Executor = this.db): Promise<PasskeyRow | null> {
    const [row] = await tx
      .select()
      .from(passkeys)
      .where(and(eq(passkeys.userId, userId), eq(passkeys.id, id)));
    return row ?? null;
  }

  /** Holds the user's row until the transaction ends, so two registrations cannot both pass the limit. */
  async lockUser(tx: Executor, userId: string): Promise<boolean> {
    const rows = await tx.execute(sql`SELECT 1 FROM ${users} WHERE ${users.id} = ${userId} FOR UPDATE`);
    return (rows as unknown as { rows: unknown[] }).rows.length === 1;
  }

  async insert(tx: Executor, userId: string, name: string, credential: NewCredential, at: Date): Promise<PasskeyRow> {
    const [row] = await tx
      .insert(passkeys)
      .values({ userId, name, ...credential, createdAt: at })
      .returning();
    return row as PasskeyRow;
  }

  async rename(userId: string, id: string, name: string): Promise<PasskeyRow | null> {
    const [row] = await this.db
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.userId, userId), eq(passkeys.id, id)))
      .returning();
    return row ?? null;
  }

  async remove(tx: Executor, userId: string, id: string): Promise<PasskeyRow | null> {
    const [row] = await tx
      .delete(passkeys)
      .where(and(eq(passkeys.userId, userId), eq(passkeys.id, id)))
      .returning();
    return row ?? null;
  }

  /**
   * Records a use, only if the counter has not moved meanwhile: two assertions racing with
   * one counter value cannot both be accepted. False when another use got there first.
   */
  async recordUse(tx: Executor, passkey: PasskeyRow, assertion: Assertion, at: Date): Promise<boolean> {
    const updated = await tx
      .update(passkeys)
      .set({ counter: assertion.counter, backedUp: assertion.backedUp, deviceType: assertion.deviceType, lastUsedAt: at })
      .where(and(eq(passkeys.id, passkey.id), eq(passkeys.counter, passkey.counter)))
      .returning({ id: passkeys.id });
    return updated.length === 1;
  }
}
