import { describe, expect, it } from 'vitest';
import { resolveAppearance } from './appearance';

describe('resolveAppearance', () => {
  it('follows the device only for "system"', () => {
    expect(resolveAppearance('system', true)).toBe('dark');
    expect(resolveAppearance('system', false)).toBe('light');
    expect(resolveAppearance('light', true)).toBe('light');
    expect(resolveAppearance('dark', false)).toBe('dark');
  });
});
