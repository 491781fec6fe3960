/**
 * Row 1's limit: the least a server can do for `GET /users/me` — a bare Fastify
 * route that verifies the same HS256 JWT and returns a constant user JSON. No
 * database, no plugins, no logging.
 *
 * VERIFY=jose (row 1): with jose, the design's JWT library, key imported once.
 * VERIFY=node (row 1c, stricter): with Roster's own verifier (node:crypto on the
 * event loop, src/auth/hs256.ts), the fastest way we know; jose's WebCrypto HMAC
 * is a job on the thread pool and makes the bare route about half as fast.
 */
import { createSecretKey } from 'node:crypto';
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import { verifyHs256 } from '../../server/src/auth/hs256.js';

const secret = process.env.SECRET_KEY ?? '';
const nodeKey = createSecretKey(Buffer.from(secret, 'utf8'));
// Imported once (jose would re-import raw bytes on every call).
const joseKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
  'verify',
]);

async function verifies(token: string): Promise<boolean> {
  if (process.env.VERIFY === 'node') return verifyHs256(token, nodeKey, Math.floor(Date.now() / 1000)) !== null;
  try {
    await jwtVerify(token, joseKey, { algorithms: ['HS256'] });
    return true;
  } catch {
    return false;
  }
}

const user = {
  id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  email: 'bench@example.com',
  full_name: 'Bench User',
  is_active: true,
  is_superuser: false,
  is_verified: false,
  created_at: '2026-01-01T00:00:00.000Z',
};

const app = Fastify({ logger: false });
app.get('/api/v1/users/me', async (request, reply) => {
  const token = /^bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!token) return reply.code(401).send({ detail: 'Not authenticated' });
  if (!(await verifies(token))) return reply.code(403).send({ detail: 'Could not validate credentials' });
  return user;
});
app.get('/ready', async () => true);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
