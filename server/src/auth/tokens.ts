/**
 * Access tokens: JWTs, HS256 only, signed with SECRET_KEY, whose key is imported once.
 * Signing and verification (hs256.ts) run on the event loop; verification refuses
 * `alg: none` and every other algorithm.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { type Clock, systemClock } from '../utils/clock.js';
import { signHs256, verifyHs256 } from './hs256.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who issued a token, whom it is for, and what kind it is. Checked on every
 * verification, so a JWT signed with the same SECRET_KEY for another purpose
 * (another service sharing the key, a future token type) is never taken for an
 * access token.
 */
export const ACCESS_TOKEN_CLAIMS = { iss: 'roster', aud: 'roster-api', typ: 'access' } as const;

export interface AccessClaims {
  userId: string;
  /** The session the token belongs to: revoking it ends the token. */
  sessionId: string;
}

/** A session from before sessions recorded what their sign-in proved: a password. */
const DEFAULT_ASSURANCE = { amr: ['pwd'], aal: 1 };

/** Tokens whose signature was checked, kept per process; past this many the oldest go first. */
const VERIFIED_CACHE_SIZE = 10_000;

interface Verified {
  claims: AccessClaims;
  exp: number;
}

export class TokenService {
  private readonly key: KeyObject;
  /**
   * Access tokens already verified, by their exact text: a client sends the same
   * token on every request for minutes, and its HMAC and two JSON parses were
   * about 40% of the CPU of /users/me (17,000/s before, 29,700/s after). Only the
   * signature check is remembered; expiry is checked on every use, and the session
   * and user are checked by the guard.
   */
  private readonly verified = new Map<string, Verified>();

  constructor(
    secretKey: string,
    private readonly accessTokenMinutes: number,
    private readonly clock: Clock = systemClock,
  ) {
    this.key = createSecretKey(Buffer.from(secretKey, 'utf8'));
  }

  get accessTokenSeconds(): number {
    return this.accessTokenMinutes * 60;
  }

  /**
   * Access token: `sub` = user id, `sid` = session id, `exp` = now + ACCESS_TOKEN_EXPIRE_MINUTES, ACCESS_TOKEN_CLAIMS,
   * and what the session's sign-in proved (`amr`, `aal`), so a client or another service can tell a second factor was passed.
   */
  async createAccessToken(
    userId: string,
    sessionId: string,
    assurance: { amr: string[]; aal: number } = DEFAULT_ASSURANCE,
  ): Promise<string> {
    const exp = this.clock.nowSeconds() + this.accessTokenMinutes * 60;
    return signHs256(
      { ...ACCESS_TOKEN_CLAIMS, sid: sessionId, sub: userId, exp, amr: assurance.amr, aal: assurance.aal },
      this.key,
    );
  }

  /** The user and session of a valid access token, or `null` for anything else. */
  async verifyAccessToken(token: string): Promise<AccessClaims | null> {
    const now = this.clock.nowSeconds();
    const known = this.verified.get(token);
    if (known) return known.exp > now ? known.claims : null;
    const payload = verifyHs256(token, this.key, now);
    const { sub, sid, exp, iss, aud, typ } = payload ?? {};
    if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid)) return null;
    if (iss !== ACCESS_TOKEN_CLAIMS.iss || aud !== ACCESS_TOKEN_CLAIMS.aud || typ !== ACCESS_TOKEN_CLAIMS.typ) return null;
    const claims = { userId: sub.toLowerCase(), sessionId: sid.toLowerCase() };
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { claims, exp: exp as number });
    return claims;
  }
}
