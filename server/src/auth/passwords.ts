/**
 * Password hashing. New hashes are Argon2id with the configured parameters; stored
 * hashes from the FastAPI template (Argon2 with other parameters, bcrypt) verify
 * too and are reported as needing a re-hash. Both libraries run on libuv's thread
 * pool, never on the event loop.
 */
import { randomBytes } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import * as bcrypt from '@node-rs/bcrypt';
import type { Argon2Settings } from '../config.js';

// Values of @node-rs/argon2's `const enum`s, which isolated modules cannot import.
const ARGON2ID = 2 as argon2.Algorithm;
const VERSION_0x13 = 1 as argon2.Version;

/**
 * Stored for an account without a password (imported without one, or created by a
 * sign-in provider): it matches no hash format, so no password verifies against it,
 * and the user sets one through password recovery.
 */
export const NO_PASSWORD = '!';

/** Whether the account can sign in with a password at all. */
export function hasPassword(user: { hashedPassword: string }): boolean {
  return user.hashedPassword !== NO_PASSWORD;
}

export interface Verification {
  ok: boolean;
  /** The hash is valid for this password but not in the current scheme and parameters. */
  needsRehash: boolean;
}

const FAILED: Verification = { ok: false, needsRehash: false };
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

export class PasswordHasher {
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly settings: Argon2Settings) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, {
      algorithm: ARGON2ID,
      version: VERSION_0x13,
      memoryCost: this.settings.memoryKib,
      timeCost: this.settings.iterations,
      parallelism: this.settings.parallelism,
    });
  }

  /**
   * A malformed or unknown stored hash is a failed verification, never an
   * exception, and still costs one dummy verification: an account imported without
   * a usable hash must not answer faster than one with a real hash.
   */
  async verify(storedHash: string, password: string): Promise<Verification> {
    try {
      if (storedHash.startsWith('$argon2')) {
        if (!(await argon2.verify(storedHash, password))) return FAILED;
        return { ok: true, needsRehash: !this.isCurrentArgon2(storedHash) };
      }
      // A bcrypt hash of another shape (or cost) is refused at once by the library, without hashing.
      if (BCRYPT_HASH.test(storedHash)) {
        if (!(await bcrypt.verify(password, storedHash))) return FAILED;
        return { ok: true, needsRehash: true };
      }
    } catch {
      // A corrupt hash (bad base64, wrong lengths, out-of-range parameters).
    }
    await this.verifyDummy(password);
    return FAILED;
  }

  /**
   * Spends one verification against a hash of a random password, so that a login
   * for an unknown email costs what a login for a known one does.
   */
  async verifyDummy(password: string): Promise<void> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(await this.dummyHash, password);
  }

  private isCurrentArgon2(storedHash: string): boolean {
    const options = argon2.parseOptions(storedHash);
    return (
      options.algorithm === ARGON2ID &&
      options.version === VERSION_0x13 &&
      options.memoryCost === this.settings.memoryKib &&
      options.timeCost === this.settings.iterations &&
      options.parallelism === this.settings.parallelism
    );
  }
}
