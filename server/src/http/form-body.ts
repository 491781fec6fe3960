/**
 * `application/x-www-form-urlencoded` bodies, only on the routes the contract
 * gives a form: the OAuth2 token routes and the login's second-factor steps,
 * whose secret `mfa_token` no other site can know. Anywhere else a form is refused like
 * any other non-JSON body: a cross-site HTML form can post one without a CORS
 * preflight, so accepting it on JSON routes would let any web page sign people
 * up or, in local mode, create users.
 */
import { parse } from 'node:querystring';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';

export const FORM = 'application/x-www-form-urlencoded';

/** A flag a JSON body sends as a boolean and a form as text (`true`/`false`, or `on` from a checkbox). */
export const FormBoolean = Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false'), Type.Literal('on')]);

export function isTrue(value: boolean | string | undefined): boolean {
  return value === true || value === 'true' || value === 'on';
}

/** Fields a form may have; the token routes need at most six. */
const MAX_FORM_FIELDS = 100;

export const notJsonIssue = {
  loc: ['body'],
  msg: 'Expected a JSON body (Content-Type: application/json)',
  type: 'model_attributes_type',
};

/** Parses forms for the routes at `formRoutes` (full paths, as registered) and refuses them elsewhere. */
export function installFormBodyParser(app: FastifyInstance, formRoutes: readonly string[]): void {
  const allowed = new Set(formRoutes);
  app.addContentTypeParser(FORM, { parseAs: 'string' }, (request, text, done) => {
    if (!allowed.has(request.routeOptions.url ?? '')) {
      done(new ValidationError([notJsonIssue]), undefined);
      return;
    }
    done(null, { ...parse(text as string, '&', '=', { maxKeys: MAX_FORM_FIELDS }) });
  });
}
