/**
 * Standard Webhooks signing secrets and signatures. The signature itself is the
 * spec's reference library (`standardwebhooks`), the one receivers verify with.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const SECRET_PREFIX = 'whsec_';

/** `whsec_` + base64 of 32 random bytes, as the spec and its libraries expect. */
export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * The `webhook-signature` header: `v1,<base64 HMAC-SHA256 of id.timestamp.body>`
 * for each secret, space-separated (during a rotation's overlap a receiver that
 * still holds the old secret and one that has the new both verify).
 */
export function signatureHeader(secrets: string[], messageId: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' ');
}
