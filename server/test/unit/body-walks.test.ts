import { describe, expect, it } from 'vitest';
import { findTooDeep, MAX_JSON_DEPTH } from '../../src/http/json-body.js';
import { findNulCharacter, isValidEmail } from '../../src/http/validation.js';

/** `[[[…["a\u0000"]…]]]`, `depth` arrays deep, built without recursion. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('findTooDeep', () => {
  it('stops at the first bracket past the limit: a 4,000-deep body costs 33 steps, not 8,000', () => {
    const body = `{"a":${'['.repeat(4000)}${']'.repeat(4000)}}`;
    // The object is level 1, so the 32nd bracket is level 33: index 5 + 31.
    expect(findTooDeep(body)).toBe(5 + MAX_JSON_DEPTH - 1);
  });

  it('lets through bodies at the limit, and brackets inside strings do not count', () => {
    expect(findTooDeep(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBe(-1);
    expect(findTooDeep(JSON.stringify({ a: '['.repeat(1000), b: '\\"[[[[', c: [[{ d: '{{{' }]] }))).toBe(-1);
    expect(findTooDeep(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toBe(MAX_JSON_DEPTH);
  });

  it('a wide body of many shallow values is not deep', () => {
    expect(findTooDeep(JSON.stringify(Array.from({ length: 100_000 }, () => [{}])))).toBe(-1);
  });
});

describe('findNulCharacter', () => {
  it('walks 100,000 levels without touching the call stack', () => {
    const path = findNulCharacter(nested(100_000, 'a\u0000'));
    expect(path).toHaveLength(100_000);
    expect(path?.every((key) => key === 0)).toBe(true);
    expect(findNulCharacter(nested(100_000, 'clean'))).toBeNull();
  });

  it('reports the first offending string in document order, and NUL in keys', () => {
    expect(findNulCharacter({ a: 'ok', b: ['x', 'y\u0000'], c: '\u0000' })).toEqual(['b', 1]);
    expect(findNulCharacter({ a: { 'k\u0000': 1 } })).toEqual(['a', 'k\u0000']);
    expect(findNulCharacter('\u0000')).toEqual([]);
    expect(findNulCharacter({ a: [1, true, null, { b: 'fine' }] })).toBeNull();
  });
});

describe('isValidEmail', () => {
  // With every validation problem reported, the format runs even when maxLength already failed.
  it('refuses text longer than any address before the pattern sees it', () => {
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(62)}.com`;
    expect(longest.length).toBe(323);
    expect(isValidEmail(longest.slice(4))).toBe(true);
    expect(isValidEmail(longest)).toBe(false);
  });
});
