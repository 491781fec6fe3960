/**
 * Turns every failure into the contract's shapes: `{"detail": "..."}` for
 * refusals, `422 {"detail": [...]}` for invalid input, 404/405 for unknown
 * routes and methods. Anything unexpected is logged and answered with a bare 500
 * that reveals nothing.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { HttpError, Messages, ValidationError, type ValidationIssue } from '../errors.js';
import { UserGoneError } from '../users/user-gone.js';
import { notJsonIssue } from './form-body.js';
import { findNulCharacter, requestIssues, toValidationIssues } from './validation.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function installErrorHandling(app: FastifyInstance): void {
  // A second router that only answers "does this path exist under another method?"
  const knownPaths = FindMyWay({ ignoreTrailingSlash: false, maxParamLength: 1024 });
  app.addHook('onRoute', (route) => {
    // Catch-all routes (the CORS preflight's `OPTIONS *`) say nothing about which paths exist.
    if (route.url.includes('*')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (!knownPaths.hasRoute(method as never, route.url)) knownPaths.on(method as never, route.url, () => {});
    }
  });

  /** 405 with the methods the path has, or 404 when it has none. */
  const answerUnrouted = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((method) => {
      const match = method !== request.method && knownPaths.find(method, path);
      return match && !hasEmptyParam(match.params);
    });
    if (allowed.length > 0) {
      return reply.code(405).header('Allow', allowed.join(', ')).send({ detail: 'Method Not Allowed' });
    }
    return reply.code(404).send({ detail: 'Not Found' });
  };

  // PostgreSQL cannot store U+0000; refuse it as invalid input instead of failing in the database.
  app.addHook('preValidation', async (request) => {
    const hasNul = [request.params, request.query, request.body].some((part) => findNulCharacter(part) !== null);
    if (hasNul) throw new ValidationError(requestIssues(request));
  });

  // `DELETE /users/` matches `/users/:user_id` with an empty id; no route takes one, so
  // this is a path without that method (405, or 404), answered before any guard runs.
  app.addHook('onRequest', async (request, reply) => {
    if (hasEmptyParam(request.params)) return answerUnrouted(request, reply);
  });

  app.setNotFoundHandler(answerUnrouted);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).headers(error.headers).send({ detail: error.detail });
    }
    if (error instanceof UserGoneError) return reply.code(404).send({ detail: Messages.userNotFound });
    const issues = validationIssues(error, request);
    if (issues) return reply.code(422).send({ detail: issues });
    if (error.statusCode === 413) return reply.code(413).send({ detail: 'Request body is too large' });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ detail: clientErrorMessage(error) });
    }
    logUnexpected(request, error);
    return reply.code(500).send({ detail: 'Internal Server Error' });
  });
}

/** The 422 issues of a validation failure, a body that is not JSON, or an unsupported body type. */
function validationIssues(error: FastifyError, request: FastifyRequest): ValidationIssue[] | null {
  if (error instanceof ValidationError) return error.issues;
  if (error.validation) {
    // Fastify reports the first part that failed; the answer lists every problem of the request.
    const all = requestIssues(request);
    return all.length > 0 ? all : toValidationIssues(error.validation as never, error.validationContext ?? 'body');
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return [notJsonIssue];
  }
  // Fastify's JSON parser reports malformed JSON as a SyntaxError with status 400.
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }];
  }
  return null;
}

/** Whether a named route parameter matched nothing (the catch-all `*` may be empty). */
function hasEmptyParam(params: unknown): boolean {
  if (!params || typeof params !== 'object') return false;
  return Object.entries(params).some(([name, value]) => name !== '*' && value === '');
}

function clientErrorMessage(error: FastifyError): string {
  if (error.statusCode === 404) return 'Not Found';
  if (error.statusCode === 405) return 'Method Not Allowed';
  if (error.statusCode === 415) return 'Unsupported Media Type';
  return 'Bad Request';
}

function logUnexpected(request: FastifyRequest, error: Error): void {
  request.log.error({ err: error, method: request.method, route: request.routeOptions.url }, 'unhandled error');
}
