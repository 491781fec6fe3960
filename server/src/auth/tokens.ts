/**
 * Access tokens: JWTs, HS256 only, signed with SECRET_KEY. The key is imported once; `jwtVerify`
 * is pinned to HS256 so `alg: none` and other algorithms are refused.
 */
import { jwtVerify, SignJWT } from 'jose';
import { type Clock, systemClock } from '../utils/clock.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessClaims {
  userId: string;
  /** The session the token belongs to: revoking it ends the token. */
  sessionId: string;
}

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secretKey: string,
    private readonly accessTokenMinutes: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.key = new TextEncoder().encode(secretKey);
  }

  get accessTokenSeconds(): number {
    return this.accessTokenMinutes * 60;
  }

  /** Access token: `sub` = user id, `sid` = session id, `exp` = now + ACCESS_TOKEN_EXPIRE_MINUTES. */
  createAccessToken(userId: string, sessionId: string): Promise<string> {
    const now = this.clock.nowSeconds();
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setExpirationTime(now + this.accessTokenMinutes * 60)
      .sign(this.key);
  }

  /** The user and session of a valid access token, or `null` for anything else. */
  async verifyAccessToken(token: string): Promise<AccessClaims | null> {
    const payload = await this.verify(token);
    const { sub, sid } = payload ?? {};
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid)) return null;
    return { userId: sub.toLowerCase(), sessionId: sid.toLowerCase() };
  }

  private async verify(token: string) {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.nowSeconds() * 1000),
      });
      return payload;
    } catch {
      return null;
    }
  }
}
