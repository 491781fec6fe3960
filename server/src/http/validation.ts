/**
 * Request validation with Ajv, compiled ahead of time from the routes' TypeBox
 * schemas (the same schemas that generate the OpenAPI document).
 *
 * JSON bodies are validated strictly (a number is not a string, "true" is not a
 * boolean); query strings and path parameters arrive as text, so they are coerced.
 * Failures become the contract's `422 {"detail": [{loc, msg, type}]}`.
 */
import AjvModule, { type Options as AjvOptions, type ErrorObject } from 'ajv';
import formatsModule from 'ajv-formats';
import keywordsModule from 'ajv-keywords';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { ValidationIssue } from '../errors.js';

/**
 * A practical email syntax check (no deliverability check): a dot-atom local part,
 * and a domain of at least two labels whose last is alphabetic. Length limits are
 * the schema's `maxLength`.
 */
const EMAIL =
  /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

export function isValidEmail(text: string): boolean {
  const at = text.lastIndexOf('@');
  return at > 0 && at <= 64 && EMAIL.test(text);
}

// CommonJS packages: under Node's ESM loader their `default` export is the real one.
const Ajv = AjvModule.default;
const addFormats = formatsModule.default;
const addKeywords = keywordsModule.default;

function createAjv(options: AjvOptions) {
  const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false, ...options });
  addFormats(ajv, ['uuid', 'date-time']);
  addKeywords(ajv, ['transform']);
  ajv.addFormat('email', { type: 'string', validate: isValidEmail });
  return ajv;
}

const bodyAjv = createAjv({ coerceTypes: false });
const textAjv = createAjv({ coerceTypes: true });

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);

const LOCATION: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** One Ajv failure as the contract's `{loc, msg, type}`. */
export function toValidationIssue(error: ErrorObject, context: string): ValidationIssue {
  const loc: (string | number)[] = [LOCATION[context] ?? context];
  for (const part of error.instancePath.split('/').slice(1)) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    loc.push(/^\d+$/.test(key) ? Number(key) : key);
  }
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      loc.push(String(params.missingProperty));
      return { loc, msg: 'Field required', type: 'missing' };
    case 'type':
      return { loc, msg: `Input should be a valid ${describeType(params.type)}`, type: `${firstType(params.type)}_type` };
    case 'minLength':
      return params.limit === 1
        ? { loc, msg: 'String should have at least 1 character', type: 'string_too_short' }
        : { loc, msg: `String should have at least ${params.limit} characters`, type: 'string_too_short' };
    case 'maxLength':
      return { loc, msg: `String should have at most ${params.limit} characters`, type: 'string_too_long' };
    case 'minimum':
      return { loc, msg: `Input should be greater than or equal to ${params.limit}`, type: 'greater_than_equal' };
    case 'maximum':
      return { loc, msg: `Input should be less than or equal to ${params.limit}`, type: 'less_than_equal' };
    case 'format':
      return params.format === 'email'
        ? { loc, msg: 'value is not a valid email address', type: 'value_error' }
        : { loc, msg: `Input should be a valid ${params.format}`, type: `${params.format}_parsing` };
    case 'enum':
    case 'const':
      return {
        loc,
        msg: `Input should be ${listAllowed(params.allowedValues ?? [params.allowedValue])}`,
        type: 'enum',
      };
    default:
      return { loc, msg: error.message ?? 'Invalid value', type: error.keyword };
  }
}

function firstType(type: unknown): string {
  const name = Array.isArray(type) ? String(type[0]) : String(type);
  return name === 'integer' ? 'int' : name === 'boolean' ? 'bool' : name === 'object' ? 'dict' : name;
}

function describeType(type: unknown): string {
  const name = firstType(type);
  return { int: 'integer', bool: 'boolean', dict: 'object', number: 'number', string: 'string' }[name] ?? name;
}

function listAllowed(values: unknown): string {
  const list = (Array.isArray(values) ? values : [values]).map((v) => `'${String(v)}'`);
  return list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list.at(-1)}` : (list[0] ?? '');
}

/** The first location, if any, where a string holds U+0000 (PostgreSQL cannot store it). */
export function findNulCharacter(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulCharacter(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const found = key.includes('\u0000') ? [...path, key] : findNulCharacter(child, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
