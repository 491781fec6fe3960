/**
 * Browsers that passed the second factor and asked to be remembered: for
 * MFA_REMEMBER_DAYS their password logins skip the second step. The browser holds
 * a random token in an HttpOnly cookie; the server holds its SHA-256 in a row the
 * user can list and revoke. The row is bound to its user, so a shared browser's
 * cookie does nothing for another account. Changing the password, turning MFA off
 * and an admin reset forget every device of the user.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, gt, lt } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { type RememberedDeviceRow, rememberedDevices } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';

export const REMEMBERED_DEVICE_COOKIE = 'roster_device';
const MAX_TOKEN_LENGTH = 100;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface DeviceOrigin {
  ip: string | null;
  userAgent: string | null;
}

export class RememberedDevices {
  constructor(
    private readonly clock: Clock,
    /** MFA_REMEMBER_DAYS; 0 turns remembering off. */
    readonly days: number,
  ) {}

  get enabled(): boolean {
    return this.days > 0;
  }

  /** Remembers the browser; returns the cookie's token and when it ends. */
  async remember(tx: Executor, userId: string, origin: DeviceOrigin): Promise<{ id: string; token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.days * 86_400_000);
    const [row] = await tx
      .insert(rememberedDevices)
      .values({
        userId,
        tokenHash: hashToken(token),
        userAgent: origin.userAgent?.slice(0, 512) ?? null,
        ip: origin.ip?.slice(0, 64) ?? null,
        createdAt: now,
        lastUsedAt: now,
        expiresAt,
      })
      .returning({ id: rememberedDevices.id });
    return { id: (row as { id: string }).id, token, expiresAt };
  }

  /** The device `token` names, if it is remembered for this user; its last use is noted. */
  async recognise(tx: Executor, userId: string, token: string | null | undefined): Promise<string | null> {
    if (!this.enabled || !token || token.length > MAX_TOKEN_LENGTH) return null;
    const now = this.clock.now();
    const [row] = await tx
      .update(rememberedDevices)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(rememberedDevices.tokenHash, hashToken(token)),
          eq(rememberedDevices.userId, userId),
          gt(rememberedDevices.expiresAt, now),
        ),
      )
      .returning({ id: rememberedDevices.id });
    return row?.id ?? null;
  }

  async list(tx: Executor, userId: string): Promise<RememberedDeviceRow[]> {
    return tx
      .select()
      .from(rememberedDevices)
      .where(and(eq(rememberedDevices.userId, userId), gt(rememberedDevices.expiresAt, this.clock.now())))
      .orderBy(desc(rememberedDevices.createdAt), desc(rememberedDevices.id));
  }

  /** Forgets one device of the user; returns whether there was one. */
  async forget(tx: Executor, userId: string, id: string): Promise<boolean> {
    const gone = await tx
      .delete(rememberedDevices)
      .where(and(eq(rememberedDevices.id, id), eq(rememberedDevices.userId, userId)))
      .returning({ id: rememberedDevices.id });
    return gone.length > 0;
  }

  /** Forgets every device of the user; returns how many. */
  async forgetAll(tx: Executor, userId: string): Promise<number> {
    const gone = await tx
      .delete(rememberedDevices)
      .where(eq(rememberedDevices.userId, userId))
      .returning({ id: rememberedDevices.id });
    return gone.length;
  }

  async purge(tx: Executor, before: Date): Promise<void> {
    await tx.delete(rememberedDevices).where(lt(rememberedDevices.expiresAt, before));
  }
}
