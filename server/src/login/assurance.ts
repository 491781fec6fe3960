/**
 * What a sign-in's authentication method references (RFC 8176 `amr`) are worth: whether
 * they include a second factor, and the assurance level (`aal`) tokens and sessions carry.
 *
 * A second factor is there when the proof has a one-time code (`otp`: TOTP, a recovery
 * code), says `mfa` outright, or is a hardware or software key used with user
 * verification (a passkey: `hwk`/`swk` with `user`, `pin` or a biometric), which is
 * something one has and something one knows or is, in one step.
 */
const USER_VERIFICATION = new Set(['user', 'pin', 'fpt', 'face', 'iris', 'retina', 'vbm']);

export function hasSecondFactor(amr: readonly string[]): boolean {
  if (amr.includes('mfa') || amr.includes('otp')) return true;
  const key = amr.includes('hwk') || amr.includes('swk');
  return key && amr.some((method) => USER_VERIFICATION.has(method));
}

/** Authenticator assurance level: 2 with a second factor, 1 without. */
export function assuranceLevel(amr: readonly string[]): number {
  return hasSecondFactor(amr) ? 2 : 1;
}

/** Two proofs' references joined, each once, in the order they were made. */
export function joinAmr(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])];
}
