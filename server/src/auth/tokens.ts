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
  /** The session the token belongs to: revoking it ends the token. */
  sessionId: string;
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

  get accessTokenSeconds(): number {
    return this.accessTokenMinutes * 60;
  }

  /** Access token: `sub` = user id, `sid` = session id, `exp` = now + ACCESS_TOKEN_EXPIRE_MINUTES. */
  async createAccessToken(userId: string, sessionId: string): Promise<string> {
    const now = this.clock.nowSeconds();
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setExpirationTime(now + this.accessTokenMinutes * 60)
      .sign(await this.key);
  }

  /** The user and session of a valid access token, or `null` for anything else. */
  async verifyAccessToken(token: string): Promise<AccessClaims | null> {
    const payload = await this.verify(token);
    const { sub, sid } = payload ?? {};
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid)) return null;
    return { userId: sub.toLowerCase(), sessionId: sid.toLowerCase() };
  }

  private async verify(token: string) {
    return verifyHs256(token, this.verifyKey, this.clock.nowSeconds());
  }
}
