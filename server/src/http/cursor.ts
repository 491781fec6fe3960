/**
 * The `cursor` of the list routes: an opaque base64url token naming the last row
 * of a page (the order it was taken in, its sort key and its id). Clients pass
 * `next_cursor` back unchanged; anything else that does not decode to a position
 * for the same order is a 422 on `query.cursor`.
 */
import { Type } from '@sinclair/typebox';
import type { KeysetPosition } from '../db/keyset.js';
import { ValidationError } from '../errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_KEY_LENGTH = 1024;

/** The `cursor` query parameter. */
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 4096,
  description: "The previous page's `next_cursor`: this page starts right after its last row.",
});

/** `next_cursor` in list responses. */
export const NextCursor = Type.Union([Type.String(), Type.Null()], {
  description: 'Pass as `cursor` to get the next page; `null` on the last page.',
});

export function encodeCursor(order: string, position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([order, position.key, position.id]), 'utf8').toString('base64url');
}

function invalid(msg: string): ValidationError {
  return new ValidationError([{ loc: ['query', 'cursor'], msg, type: 'value_error' }]);
}

/**
 * The position in `cursor`, checked against the order of this request and the
 * shape of its key (`validKey` for keys that are cast in SQL, so a forged cursor
 * can never make the database fail).
 */
export function decodeCursor(
  cursor: string,
  order: string,
  options: { validKey?: (key: string) => boolean; nullable?: boolean } = {},
): KeysetPosition {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('Invalid cursor');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid('Invalid cursor');
  const [cursorOrder, key, id] = parsed as unknown[];
  if (cursorOrder !== order) throw invalid('Cursor was made for another order_by');
  if (typeof id !== 'string' || !UUID.test(id)) throw invalid('Invalid cursor');
  if (key === null) {
    if (!options.nullable) throw invalid('Invalid cursor');
  } else if (
    typeof key !== 'string' ||
    key.length > MAX_KEY_LENGTH ||
    key.includes('\u0000') ||
    (options.validKey && !options.validKey(key))
  ) {
    throw invalid('Invalid cursor');
  }
  return { key: key as string | null, id: id.toLowerCase() };
}
