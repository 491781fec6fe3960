/**
 * Row 1's limit: the least a server can do for `GET /users/me` — a bare Fastify
 * route that verifies the same HS256 JWT with jose (key imported once, as Roster
 * does) and returns a constant user JSON. No database, no plugins, no logging.
 */
import Fastify from 'fastify';
import { jwtVerify } from 'jose';

// Imported once, as Roster does (jose would re-import raw bytes on every call).
const key = await crypto.subtle.importKey(
  'raw',
  new TextEncoder().encode(process.env.SECRET_KEY ?? ''),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['verify'],
);
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
  try {
    await jwtVerify(token, key, { algorithms: ['HS256'] });
  } catch {
    return reply.code(403).send({ detail: 'Could not validate credentials' });
  }
  return user;
});
app.get('/ready', async () => true);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
