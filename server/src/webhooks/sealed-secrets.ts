/**
 * Signing secrets at rest. Signing needs the secret itself (HMAC), so it cannot be
 * hashed; a database dump or a read-only SQL injection must still not be enough to forge
 * webhooks. Each secret (the current one and, during a rotation, the previous one) is
 * sealed with the SecretBox: AES-256-GCM under a key derived from SECRET_KEY by HKDF with
 * the webhooks' own context (not the TOTP secrets' key), bound to its endpoint's id, so a
 * sealed value copied to another endpoint's row does not open.
 *
 * A stored value that still starts with `whsec_` is a secret in clear: written before
 * secrets were sealed, or by an older process during a rolling upgrade. It is read as it
 * is, and sealed at the next start-up (`sealClearSecrets`) or by the endpoint's next write
 * of its secrets (a rotation).
 */
import { SecretBox } from '../mfa/secret-box.js';
import { SECRET_PREFIX } from './secrets.js';

export const WEBHOOK_SECRET_CONTEXT = 'roster webhook secret-box v1';

/** A sealed secret this SECRET_KEY cannot open: SECRET_KEY changed, or the value was altered or moved. */
export class UnreadableSecretError extends Error {
  constructor(readonly endpointId: string) {
    super(`the signing secret of webhook endpoint ${endpointId} cannot be decrypted with this SECRET_KEY`);
    this.name = 'UnreadableSecretError';
  }
}

export const isClearSecret = (stored: string): boolean => stored.startsWith(SECRET_PREFIX);

export class WebhookSecretBox {
  private readonly box: SecretBox | null;

  /** `null`: no key (the CLI run without SECRET_KEY); every seal and open then throws, so nothing is sealed under a made-up key. */
  constructor(secretKey: string | null) {
    this.box = secretKey ? new SecretBox(secretKey, WEBHOOK_SECRET_CONTEXT) : null;
  }

  seal(secret: string, endpointId: string): string {
    return this.keyed().seal(secret, endpointId);
  }

  /** The secret itself; throws UnreadableSecretError rather than return anything else. */
  open(stored: string, endpointId: string): string {
    if (isClearSecret(stored)) return stored;
    const box = this.keyed();
    try {
      return box.open(stored, endpointId);
    } catch {
      throw new UnreadableSecretError(endpointId);
    }
  }

  /** Whether this SECRET_KEY opens the stored value (a clear one always "opens"). */
  opens(stored: string, endpointId: string): boolean {
    try {
      this.open(stored, endpointId);
      return true;
    } catch (error) {
      if (error instanceof UnreadableSecretError) return false;
      throw error;
    }
  }

  private keyed(): SecretBox {
    if (!this.box) throw new Error('SECRET_KEY is not set: webhook signing secrets can be neither sealed nor opened');
    return this.box;
  }
}
