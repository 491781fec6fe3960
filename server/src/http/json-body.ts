/**
 * The JSON body parser. Before `JSON.parse` runs, one linear scan of the text
 * refuses bodies nested deeper than any schema here needs: a few kilobytes of
 * `[[[[…` would otherwise cost every later walk of the body (validation, the NUL
 * check) one step per level, or a stack overflow. The scan stops at the first
 * level too deep, so a hostile body costs no more than a valid one.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors.js';

/** Deepest nesting of objects and arrays a body may have; the deepest schema here needs 2. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b; // {
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACE = 0x7d; // }
const CLOSE_BRACKET = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * How far the scan of `text` got before it went deeper than `maxDepth`: the index
 * of the bracket that did, or -1 when the text never does. Brackets inside
 * strings do not count. Malformed text is left for `JSON.parse` to refuse.
 */
export function findTooDeep(text: string, maxDepth = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return i;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return -1;
}

export const tooDeepIssue = {
  loc: ['body'],
  msg: `JSON should not be nested more than ${MAX_JSON_DEPTH} levels deep`,
  type: 'json_too_deep',
};

/**
 * Replaces Fastify's `application/json` parser with one that checks the depth
 * first, then parses as Fastify does (refusing `__proto__` and `constructor`
 * keys that could poison prototypes).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    if (findTooDeep(text as string) >= 0) {
      done(new ValidationError([tooDeepIssue]), undefined);
      return;
    }
    parse(request, text as string, done);
  });
}
