/**
 * What an administrator's reset removes, in the caller's transaction: every second
 * factor and recovery code, every remembered device, every pending MFA token, and
 * the `mfa_enabled` mark. One function for the API (MfaService.resetByAdmin) and the
 * CLI (`roster users reset-mfa`), so a factor added later (passkeys) is removed by both.
 */
import { eq } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { mfaRecoveryCodes, mfaTotp, passkeys, users } from '../db/schema.js';
import type { MfaTokens } from './mfa-tokens.js';
import type { RememberedDevices } from './remembered-devices.js';

export async function removeEveryFactor(
  tx: Executor,
  userId: string,
  tokens: Pick<MfaTokens, 'revokeAll'>,
  devices: Pick<RememberedDevices, 'forgetAll'>,
): Promise<void> {
  await tx.delete(mfaTotp).where(eq(mfaTotp.userId, userId));
  await tx.delete(passkeys).where(eq(passkeys.userId, userId));
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  await devices.forgetAll(tx, userId);
  await tokens.revokeAll(tx, userId);
  await tx.update(users).set({ mfaEnabled: false }).where(eq(users.id, userId));
}
