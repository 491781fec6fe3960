/**
 * Encryption at rest for secrets that must be readable again, so cannot be hashed (a
 * TOTP seed checks a code, a webhook signing secret signs): AES-256-GCM under a key
 * derived from SECRET_KEY with HKDF. Each use names its own HKDF context, so each has
 * its own key and a value sealed for one never opens as the other. The stored text is `v<version>.<iv>.<tag>.<ciphertext>` (base64url), so
 * a later key (a rotated SECRET_KEY, another derivation) gets a new version and old
 * rows stay readable until they are re-encrypted. The user id is the associated
 * data (the endpoint id for a webhook secret): a ciphertext copied to another row does
 * not decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const CURRENT_VERSION = 1;
const IV_BYTES = 12;

/** The HKDF context of the TOTP secrets' key (unchanged since they were first sealed). */
export const MFA_SECRET_CONTEXT = 'roster mfa secret-box v1';

export class SecretBox {
  private readonly keys: Map<number, Buffer>;

  constructor(secretKey: string, context: string) {
    const key = Buffer.from(hkdfSync('sha256', secretKey, 'roster', context, 32));
    this.keys = new Map([[CURRENT_VERSION, key]]);
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key(CURRENT_VERSION), iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
    return [`v${CURRENT_VERSION}`, ...parts].join('.');
  }

  /** The plaintext; throws if the text was altered, is bound to someone else, or names an unknown key. */
  open(sealed: string, boundTo: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (!version || iv === undefined || tag === undefined || ciphertext === undefined) throw new Error('malformed sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key(Number(version.slice(1))), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(boundTo, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Whether a sealed text is under an older key and should be sealed again. */
  isStale(sealed: string): boolean {
    return !sealed.startsWith(`v${CURRENT_VERSION}.`);
  }

  private key(version: number): Buffer {
    const key = this.keys.get(version);
    if (!key) throw new Error(`no key for sealed secret version ${version}`);
    return key;
  }
}
