import { describe, expect, it } from 'vitest';
import { extractLinks } from './DevMailboxPage';

describe('extractLinks', () => {
  it('finds each link once, in order, without trailing punctuation', () => {
    const text = [
      'Reset it here: http://localhost:8000/reset-password?token=abc_123-XYZ.',
      'Or (http://localhost:8000/verify-email?token=t%2Fq), and again',
      'http://localhost:8000/reset-password?token=abc_123-XYZ',
      'https://example.com/path!',
    ].join('\n');
    expect(extractLinks(text)).toEqual([
      'http://localhost:8000/reset-password?token=abc_123-XYZ',
      'http://localhost:8000/verify-email?token=t%2Fq',
      'https://example.com/path',
    ]);
  });

  it('finds nothing in text without links', () => {
    expect(extractLinks('No links, just mail.')).toEqual([]);
  });
});
