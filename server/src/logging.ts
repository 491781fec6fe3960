/**
 * The process logger: pino, as Fastify uses it. Pretty enough to read on a
 * terminal as JSON lines; never given a secret (request logs carry only method,
 * route, status and timing — see app.ts).
 */
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

/** Request logs carry method, route and status; never headers, bodies or query strings. */
const serializers = {
  req: (request: { method: string; url: string; routeOptions?: { url?: string } }) => ({
    method: request.method,
    route: request.routeOptions?.url ?? request.url.split('?')[0],
  }),
  res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
};

export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    base: undefined,
    serializers,
    redact: { paths: ['req.headers.authorization', '*.password', '*.hashed_password', '*.token'], remove: true },
  });
}
