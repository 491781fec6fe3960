import { describe, expect, it } from 'vitest';
import { rangeLabel, safeRedirect } from './format';

describe('safeRedirect', () => {
  it('keeps same-origin paths', () => {
    expect(safeRedirect('/admin?page=2')).toBe('/admin?page=2');
  });

  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '', undefined, 42])(
    'replaces %j with /',
    (target) => {
      expect(safeRedirect(target)).toBe('/');
    },
  );
});

describe('rangeLabel', () => {
  it('labels a page of results', () => {
    expect(rangeLabel(0, 10, 42)).toBe('1–10 of 42');
    expect(rangeLabel(40, 2, 42)).toBe('41–42 of 42');
    expect(rangeLabel(0, 0, 0)).toBe('0 of 0');
  });
});
