/**
 * The bench's peer: better-auth with email and password (its default scrypt), rate
 * limits off, on its own PostgreSQL database (DATABASE_URL), served by node:http on
 * 127.0.0.1:PORT. Creates its tables on start, then answers GET /ready.
 */
import http from 'node:http';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import pg from 'pg';

const port = Number(process.env.PORT);
const baseURL = `http://127.0.0.1:${port}`;
const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }),
  emailAndPassword: { enabled: true },
  // As Roster's side runs with RATE_LIMIT_ENABLED=false: both measure their work, not their limiter.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'error' },
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const handle = toNodeHandler(auth);
http
  .createServer((request, response) => {
    if (request.url === '/ready') {
      response.end('ok');
      return;
    }
    void handle(request, response);
  })
  .listen(port, '127.0.0.1');
