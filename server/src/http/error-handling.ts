/**
 * Turns every failure into the contract's shapes: `{"detail": "..."}` for
 * refusals, `422 {"detail": [...]}` for invalid input, 404/405 for unknown
 * routes and methods. Anything unexpected is logged and answered with a bare 500
 * that reveals nothing.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { HttpError, Messages, ValidationError, type ValidationIssue } from '../errors.js';
import { UserGoneError } from '../users/user-gone.js';
import { findNulCharacter, toValidationIssue } from './validation.js';

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

  // PostgreSQL cannot store U+0000; refuse it as invalid input instead of failing in the database.
  app.addHook('preValidation', async (request) => {
    const parts: [string, unknown][] = [
      ['path', request.params],
      ['query', request.query],
      ['body', request.body],
    ];
    for (const [where, value] of parts) {
      const at = findNulCharacter(value);
      if (at)
        throw new ValidationError([{ loc: [where, ...at], msg: 'String should not contain NUL characters', type: 'string_nul' }]);
    }
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((method) => method !== request.method && knownPaths.find(method, path));
    if (allowed.length > 0) {
      return reply.code(405).header('Allow', allowed.join(', ')).send({ detail: 'Method Not Allowed' });
    }
    return reply.code(404).send({ detail: 'Not Found' });
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).headers(error.headers).send({ detail: error.detail });
    }
    if (error instanceof UserGoneError) return reply.code(404).send({ detail: Messages.userNotFound });
    const issues = validationIssues(error);
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
function validationIssues(error: FastifyError): ValidationIssue[] | null {
  if (error instanceof ValidationError) return error.issues;
  if (error.validation) {
    return error.validation.map((issue) => toValidationIssue(issue as never, error.validationContext ?? 'body'));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return [{ loc: ['body'], msg: 'Expected a JSON body (Content-Type: application/json)', type: 'model_attributes_type' }];
  }
  // Fastify's JSON parser reports malformed JSON as a SyntaxError with status 400.
  if (error instanceof SyntaxError && error.statusCode === 400) {
    return [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }];
  }
  return null;
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
