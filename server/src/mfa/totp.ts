/**
 * Time-based one-time passwords (RFC 6238) as every authenticator app reads them:
 * SHA-1, 6 digits, 30-second steps, through the otpauth library. A code is accepted
 * for its own step and one step either side (clock drift), and once only: the caller
 * stores the step a code was accepted for, and a code of that step or an earlier one
 * is refused afterwards, so a code seen over a shoulder cannot be used again.
 */
import { Secret, TOTP, URI } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
const DRIFT_STEPS = 1;
/** 160 bits: RFC 4226's recommended length for an HMAC-SHA-1 key. */
const SECRET_BYTES = 20;

function totpFor(secretBase32: string, issuer = '', label = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** A new random secret, in the base32 an authenticator app takes. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

/** The `otpauth://totp/…` URI a QR code carries: the issuer is PROJECT_NAME, the label the account's email. */
export function totpUri(secretBase32: string, issuer: string, accountName: string): string {
  return URI.stringify(totpFor(secretBase32, issuer, accountName));
}

/** Digits only, spaces and dashes (as apps group them) removed; `null` if it cannot be a TOTP code. */
export function normalizeTotpCode(code: string): string | null {
  const digits = code.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(digits) ? digits : null;
}

/** The time step of a moment. */
export function stepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The time step `code` is valid for at `nowMs` (its own, or one either side), if it is
 * later than `lastUsedStep`; `null` for a wrong code or a replay.
 */
export function acceptedStep(secretBase32: string, code: string, nowMs: number, lastUsedStep: number | null): number | null {
  const token = normalizeTotpCode(code);
  if (token === null) return null;
  const totp = totpFor(secretBase32);
  const current = stepAt(nowMs);
  // Each step checked on its own: a code that matches an already used step must not hide one that is still fresh.
  for (let delta = -DRIFT_STEPS; delta <= DRIFT_STEPS; delta++) {
    const step = current + delta;
    if (lastUsedStep !== null && step <= lastUsedStep) continue;
    const timestamp = step * TOTP_PERIOD_SECONDS * 1000;
    if (totp.validate({ token, timestamp, window: 0 }) === 0) return step;
  }
  return null;
}

/** The code of a moment: what an authenticator app shows (the tests generate codes with it). */
export function totpCodeAt(secretBase32: string, nowMs: number): string {
  return totpFor(secretBase32).generate({ timestamp: nowMs });
}
