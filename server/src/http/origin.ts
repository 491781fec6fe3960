import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../audit/service.js';

/** Who made the request and from where, for sessions and the audit log. */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const userAgent = request.headers['user-agent'];
  return { actorId: request.currentUser?.id ?? null, ip: request.ip ?? null, userAgent: userAgent ?? null };
}
