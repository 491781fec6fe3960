/**
 * HS256 JWTs signed and verified on the calling thread with node:crypto. jose (v6)
 * uses WebCrypto, whose HMAC runs as a job on libuv's thread pool: during a login
 * storm every authenticated request waited behind the queued Argon2 hashes
 * (p99 of /users/me went from 12 ms to 500 ms), the job round trip cost a fifth
 * of the CPU of /users/me, and each login's token waited for a free thread twice.
 * An HMAC-SHA256 of a token is a microsecond of work: it belongs on the event
 * loop. The tests check both directions against jose.
 *
 * Verification
 * Accepts only compact JWS with `{"alg":"HS256"}` (no `crit`, no unencoded
 * payloads), a valid signature (constant-time compare of its canonical text:
 * 32 bytes take 43 base64url characters whose last one carries 2 spare bits, so
 * four spellings decode to the same bytes and only the one we produce is accepted), a JSON object payload,
 * a numeric `exp` in the future, and `nbf`/`iat` numeric when present.
 */
import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';

export type JwtPayload = Record<string, unknown>;

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

function decodeObject(segment: string): Record<string, unknown> | null {
  if (!SEGMENT.test(segment)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** A compact JWS of `payload` with `{"alg":"HS256","typ":"JWT"}`. */
export function signHs256(payload: JwtPayload, key: KeyObject): string {
  const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

/** The payload of a valid token at `nowSeconds`, or `null`. */
export function verifyHs256(token: string, key: KeyObject, nowSeconds: number): JwtPayload | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (!SIGNATURE.test(signaturePart)) return null;
  const header = decodeObject(headerPart);
  if (header?.alg !== 'HS256' || 'crit' in header || 'b64' in header) return null;
  const expected = Buffer.from(createHmac('sha256', key).update(`${headerPart}.${payloadPart}`).digest('base64url'));
  const signature = Buffer.from(signaturePart);
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null;
  const payload = decodeObject(payloadPart);
  if (!payload) return null;
  if (typeof payload.exp !== 'number' || payload.exp <= nowSeconds) return null;
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > nowSeconds)) return null;
  if (payload.iat !== undefined && typeof payload.iat !== 'number') return null;
  return payload;
}
