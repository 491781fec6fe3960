/**
 * Recovery codes: ten one-time codes a user keeps on paper for the day the phone is
 * gone. Each is 10 characters from an alphabet without look-alikes (50 bits), shown
 * as `xxxxx-xxxxx`; only the SHA-256 of its normal form is stored (a code is random
 * and long enough that a fast hash leaks nothing a slow one would protect), and the
 * lookup is by that hash, so no comparison depends on the code's characters.
 */
import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const HALF = 5;

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: HALF * 2 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, HALF)}-${chars.slice(HALF)}`;
  });
}

/** What is compared: lower case, no separators or spaces, so `ABCDE FGHJK` works as typed. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** A code that may be a recovery code (the right length and alphabet), before any lookup. */
export function looksLikeRecoveryCode(code: string): boolean {
  const normal = normalizeRecoveryCode(code);
  return normal.length === HALF * 2 && [...normal].every((c) => ALPHABET.includes(c));
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(`roster recovery code:${normalizeRecoveryCode(code)}`)
    .digest('hex');
}
