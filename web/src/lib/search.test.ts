import { describe, expect, it } from 'vitest';
import { parseItemsSearch } from '../pages/ItemsPage';
import { oneOf, pageSize, positiveInt } from './search';

describe('URL search helpers', () => {
  it('positiveInt accepts whole numbers from 1, as numbers or strings', () => {
    expect(positiveInt(3, 1)).toBe(3);
    expect(positiveInt('7', 1)).toBe(7);
    for (const bad of [0, -2, 1.5, '2x', '', null, undefined, {}]) expect(positiveInt(bad, 1)).toBe(1);
  });

  it('pageSize only allows the sizes the picker offers', () => {
    expect(pageSize(25)).toBe(25);
    expect(pageSize('100')).toBe(100);
    expect(pageSize(7)).toBe(10);
    expect(pageSize(1000)).toBe(10);
  });

  it('oneOf returns the value only when it is an option', () => {
    expect(oneOf('yes', ['yes', 'no'] as const)).toBe('yes');
    expect(oneOf('maybe', ['yes', 'no'] as const)).toBeUndefined();
    expect(oneOf(1, ['yes', 'no'] as const)).toBeUndefined();
  });

  it('items search defaults to page 1 of 10', () => {
    expect(parseItemsSearch({})).toEqual({ page: 1, size: 10 });
    expect(parseItemsSearch({ page: '4', size: '50' })).toEqual({ page: 4, size: 50 });
  });
});
