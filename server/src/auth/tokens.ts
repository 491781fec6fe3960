/**
 * Access tokens: JWTs, HS256 only, signed with SECRET_KEY. Keys are imported once. jose signs;
 * verification (hs256.ts) runs on the event loop and refuses `alg: none` and every other algorithm.
 */
import { createSecretKey, type KeyObject, webcrypto } from 'node:crypto';
import { SignJWT } from 'jose';
import { type Clock, systemClock } from '../utils/clock.js';
import { verifyHs256 } from './hs256.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessClaims {
  userId: string;
}

export class TokenService {
  /**
   * A WebCrypto key, imported once: given raw bytes, jose imports them again on
   * every sign and verify, which cost a quarter of an authenticated request.
   */
  private readonly key: Promise<webcrypto.CryptoKey>;
  /** The same secret for verification on the event loop (see hs256.ts). */
  private readonly verifyKey: KeyObject;

  constructor(
    secretKey: string,
    private readonly accessTokenMinutes: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.verifyKey = createSecretKey(Buffer.from(secretKey, 'utf8'));
    this.key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secretKey), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
  }

  /** Access token: `sub` = user id, `exp` = now + ACCESS_TOKEN_EXPIRE_MINUTES. */
  async createAccessToken(userId: string): Promise<string> {
    const now = this.clock.nowSeconds();
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setExpirationTime(now + this.accessTokenMinutes * 60)
      .sign(await this.key);
  }

  /** The user id of a valid access token, or `null` for anything else. */
  async verifyAccessToken(token: string): Promise<AccessClaims | null> {
    const payload = await this.verify(token);
    if (!payload || typeof payload.sub !== 'string' || !UUID.test(payload.sub)) {
      return null;
    }
    return { userId: payload.sub.toLowerCase() };
  }

  private async verify(token: string) {
    return verifyHs256(token, this.verifyKey, this.clock.nowSeconds());
  }
}
