// Authenticator-app codes for the browser tests, made with the library the server checks them
// with (SHA-1, 6 digits, 30 s). A code is accepted once, and the server allows one step of
// drift: a test that has just used this step's code signs in with the next step's.
import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;

export function totpCode(base32Secret: string, stepsAhead = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(base32Secret.replace(/\s+/g, '')), digits: 6, period: PERIOD_SECONDS });
  return totp.generate({ timestamp: Date.now() + stepsAhead * PERIOD_SECONDS * 1000 });
}
