/**
 * The process logger: pino, as Fastify uses it. JSON lines for log collectors, or
 * (LOG_FORMAT=text, the default in local) lines for a person at a terminal; never
 * given a secret (request logs carry only method, route, status and timing — see app.ts).
 */
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import pino, { type DestinationStream, type LogFn, type Logger } from 'pino';
import type { Config } from './config.js';
import { loggableError } from './loggable-error.js';

/** Request logs carry method, route and status; never headers, bodies or query strings. */
const serializers = {
  req: (request: { method: string; url: string; routeOptions?: { url?: string } }) => ({
    method: request.method,
    route: request.routeOptions?.url ?? request.url.split('?')[0],
  }),
  res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
};

export function createLogger(
  level: Config['logLevel'],
  format: Config['logFormat'] = 'json',
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: undefined,
    serializers: { ...serializers, err: loggableError },
    hooks: {
      // Without a message, pino makes the error's own message the line's `msg`, past the serializer.
      logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn) {
        const [first, ...rest] = args as unknown[];
        const fields = first instanceof Error ? { err: first } : first;
        const error = (fields as { err?: unknown } | null)?.err;
        if (!(error instanceof Error) || typeof rest[0] === 'string') return method.apply(this, args);
        const message = (loggableError(error) as { message: string }).message;
        return method.apply(this, [fields, message] as Parameters<LogFn>);
      },
    },
    redact: { paths: ['req.headers.authorization', '*.password', '*.hashed_password', '*.token'], remove: true },
  };
  if (destination) return pino(options, destination);
  if (format === 'json') return pino(options);
  // Synchronous, in this thread: a start-up line is on the terminal before the next step begins.
  // Loaded only here: JSON logs (the default outside local) never pay for it at start-up.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
}

/** Requests slower than this are worth a warning whatever the level. */
const SLOW_REQUEST_MS = 1000;

/**
 * One line per request, at `debug`: Fastify's default (two lines per request at
 * `info`) cost a third of /users/me's throughput in the bench. What an operator
 * needs at `info` stays: server errors are logged by the error handler, and slow
 * requests here as warnings. `LOG_LEVEL=debug` brings back a line per request.
 * Install with Fastify's own request lines turned off (`disableRequestLogging`).
 */
export function installRequestLogging(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const ms = reply.elapsedTime;
    if (ms >= SLOW_REQUEST_MS) {
      request.log.warn({ req: request, res: reply, responseTime: ms }, 'slow request');
    } else {
      request.log.debug({ req: request, res: reply, responseTime: ms }, 'request completed');
    }
  });
}
