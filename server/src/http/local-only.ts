/**
 * ENVIRONMENT=local keeps to this machine. Its private routes create accounts
 * without authentication and its dev mailbox holds every reset link, so a web
 * page must not reach them:
 *
 * - by DNS rebinding (a name of the attacker's that resolves to 127.0.0.1): every
 *   request must name a loopback host in its Host header, unless
 *   ALLOW_LOCAL_ON_NETWORK=true (containers reached by service name). The raw
 *   Host header is read, never X-Forwarded-Host, which a page can set itself.
 * - by a cross-site form or fetch: /private/* refuses a foreign Origin (or a
 *   browser's Sec-Fetch-Site: cross-site) and takes only JSON bodies, which a
 *   page can send to another site only after a CORS preflight we never grant.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Config, isLoopbackName } from '../config.js';
import { HttpError, ValidationError } from '../errors.js';
import { notJsonIssue } from './form-body.js';

export const Refusals = {
  host: 'ENVIRONMENT=local answers only requests to localhost or a loopback address (ALLOW_LOCAL_ON_NETWORK=true lifts this)',
  crossSite: 'Cross-site requests to the private routes are refused',
} as const;

/** The host part of a Host header: `[::1]:8000` → `[::1]`, `localhost:8000` → `localhost`. */
export function hostOf(header: string): string {
  if (header.startsWith('[')) return header.slice(0, header.indexOf(']') + 1);
  const colon = header.indexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

export function installLocalHostCheck(app: FastifyInstance, config: Config): void {
  if (config.environment !== 'local' || config.allowLocalOnNetwork) return;
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    if (!host || !isLoopbackName(hostOf(host))) throw new HttpError(403, Refusals.host);
  });
}

/** The origins a private-route request may come from: the server itself (as the Host names it) and FRONTEND_HOST. */
function isAllowedOrigin(origin: string, request: FastifyRequest, frontendOrigins: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file://) and anything malformed
  }
  if (frontendOrigins.some((allowed) => parsed.origin === new URL(allowed).origin)) return true;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  try {
    // The server's own origin, as the Host names it (URL drops a default port on both sides).
    return parsed.host === new URL(`${parsed.protocol}//${request.headers.host}`).host;
  } catch {
    return false;
  }
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * onRequest for /private/*: refuses cross-site requests, and non-JSON bodies (422, as on
 * every JSON route) before anything is parsed.
 */
export function privateRouteGuard(config: Config) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const origin = request.headers.origin;
    if (request.headers['sec-fetch-site'] === 'cross-site') throw new HttpError(403, Refusals.crossSite);
    if (origin !== undefined && !isAllowedOrigin(origin, request, config.corsOrigins)) {
      throw new HttpError(403, Refusals.crossSite);
    }
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
    if (hasBody && !JSON_TYPE.test(request.headers['content-type'] ?? '')) throw new ValidationError([notJsonIssue]);
  };
}
