/**
 * Request validation with Ajv, compiled ahead of time from the routes' TypeBox
 * schemas (the same schemas that generate the OpenAPI document).
 *
 * JSON bodies are validated strictly (a number is not a string, "true" is not a
 * boolean); query strings and path parameters arrive as text, so they are coerced.
 * Failures become the contract's `422 {"detail": [{loc, msg, type}]}`, listing
 * every problem of the request at once (path, query and body), as FastAPI does.
 */
import AjvModule, { type Options as AjvOptions, type ErrorObject } from 'ajv';
import formatsModule from 'ajv-formats';
import keywordsModule from 'ajv-keywords';
import type { FastifyRequest, FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { ValidationIssue } from '../errors.js';

/**
 * A practical email syntax check (no deliverability check): a dot-atom local part,
 * and a domain of at least two labels whose last is alphabetic. Length limits are
 * the schema's `maxLength`.
 */
const EMAIL =
  /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

/** No address is longer (64 for the local part, 255 for the domain); longer text never reaches the pattern. */
const MAX_EMAIL_LENGTH = 320;

export function isValidEmail(text: string): boolean {
  if (text.length > MAX_EMAIL_LENGTH) return false;
  const at = text.lastIndexOf('@');
  return at > 0 && at <= 64 && EMAIL.test(text);
}

// CommonJS packages: under Node's ESM loader their `default` export is the real one.
const Ajv = AjvModule.default;
const addFormats = formatsModule.default;
const addKeywords = keywordsModule.default;

function createAjv(options: AjvOptions) {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, ...options });
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

/** The parts of a request checked, in the order their problems are listed. */
const PARTS = ['params', 'querystring', 'body'] as const;

function partOf(request: FastifyRequest, part: (typeof PARTS)[number]): unknown {
  return part === 'params' ? request.params : part === 'querystring' ? request.query : request.body;
}

/**
 * Every problem of the request: each part against its schema, and each part for
 * U+0000. Fastify stops at the first part that fails; the contract (like FastAPI)
 * lists them all, so on failure the whole request is checked again here.
 */
export function requestIssues(request: FastifyRequest): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const part of PARTS) {
    const data = partOf(request, part);
    const validate = request.getValidationFunction(part) as unknown;
    if (typeof validate === 'function') {
      const check = validate as ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
      if (!check(data ?? null)) issues.push(...toValidationIssues(check.errors ?? [], part));
    }
    const nulAt = findNulCharacter(data);
    if (nulAt) {
      issues.push({
        loc: [LOCATION[part] as string, ...nulAt],
        msg: 'String should not contain NUL characters',
        type: 'string_nul',
      });
    }
  }
  return issues;
}

/**
 * Ajv's failures as the contract's issues. A union (`anyOf`) is one issue, not one
 * per alternative: "Input should be 'a' or 'b'" when its alternatives are constants.
 */
export function toValidationIssues(errors: ErrorObject[], context: string): ValidationIssue[] {
  const unions = errors.filter((error) => error.keyword === 'anyOf');
  const insideUnion = (error: ErrorObject) =>
    unions.find((union) => union !== error && error.schemaPath.startsWith(`${union.schemaPath}/`));
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    if (insideUnion(error)) continue;
    if (error.keyword !== 'anyOf') {
      issues.push(toValidationIssue(error, context));
      continue;
    }
    const alternatives = errors.filter((other) => insideUnion(other) === error);
    const constants = alternatives.every((other) => other.keyword === 'const');
    issues.push(
      constants && alternatives.length > 0
        ? toValidationIssue(
            {
              ...error,
              keyword: 'enum',
              params: { allowedValues: alternatives.map((other) => (other.params as { allowedValue: unknown }).allowedValue) },
            },
            context,
          )
        : { ...toValidationIssue(error, context), msg: 'Input does not match any of the allowed types', type: 'union' },
    );
  }
  return issues;
}

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

/** A value met on the walk, and how it was reached (its parent's entry and its key there). */
interface Visit {
  value: unknown;
  parent: Visit | null;
  key: string | number;
}

/**
 * The first location, if any, where a string holds U+0000 (PostgreSQL cannot
 * store it). The walk is iterative (a body's depth never touches the call stack)
 * and keeps only a parent link per value: the path is built once, when found.
 */
export function findNulCharacter(value: unknown): (string | number)[] | null {
  const pending: Visit[] = [{ value, parent: null, key: '' }];
  while (pending.length > 0) {
    const visit = pending.pop() as Visit;
    const current = visit.value;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return pathTo(visit);
    } else if (Array.isArray(current)) {
      // Pushed last to first so that the first offending element is the one reported.
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], parent: visit, key: i });
    } else if (current && typeof current === 'object') {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        // A NUL in a key is reported at that key, as if its value held one.
        const child = key.includes('\u0000') ? '\u0000' : (current as Record<string, unknown>)[key];
        pending.push({ value: child, parent: visit, key });
      }
    }
  }
  return null;
}

function pathTo(visit: Visit): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) path.push(at.key);
  return path.reverse();
}
