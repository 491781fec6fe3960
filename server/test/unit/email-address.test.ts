import { describe, expect, it } from 'vitest';
import { accountKey } from '../../src/security/keys.js';
import { normalizeEmail } from '../../src/users/email-address.js';

describe('normalizeEmail', () => {
  it.each([
    ['  Ann@Example.COM\t', 'ann@example.com'],
    // JavaScript lower-cases İ to i + U+0307 (PostgreSQL's lower() to i): the normal form has i.
    ['wİlliam@example.com', 'william@example.com'],
    ['WİLLİAM@example.com', 'william@example.com'],
    ['wi\u0307lliam@example.com', 'william@example.com'],
    // NFKC: full-width and other compatibility letters are the plain ones.
    ['ＷＩＬＬＩＡＭ@ｅｘａｍｐｌｅ.ｃｏｍ', 'william@example.com'],
    ['ﬁona@example.com', 'fiona@example.com'],
    // Final and medial sigma are one letter.
    ['ΣΟΦΟΣ@example.com', 'σοφοσ@example.com'],
    ['σοφος@example.com', 'σοφοσ@example.com'],
    // IDNA: the domain in its ASCII (punycode) form, whichever form was typed.
    ['anna@Bücher.DE', 'anna@xn--bcher-kva.de'],
    ['anna@xn--bcher-kva.de', 'anna@xn--bcher-kva.de'],
    ['anna@XN--BCHER-KVA.DE', 'anna@xn--bcher-kva.de'],
    // Composed and decomposed ü are one address.
    ['jürgen@example.com', 'jürgen@example.com'],
    ['ju\u0308rgen@example.com', 'jürgen@example.com'],
    // A login username need not be an address.
    ['  Admin ', 'admin'],
    ['', ''],
  ])('%j → %j', (typed, normal) => {
    expect(normalizeEmail(typed)).toBe(normal);
  });

  it('keeps gmaİl.com a different domain from gmail.com, as IDNA (and DNS) do', () => {
    expect(normalizeEmail('kim@gmaİl.com')).toBe('kim@xn--gmail-bgd.com');
    expect(normalizeEmail('kim@gmaİl.com')).not.toBe(normalizeEmail('kim@gmail.com'));
    expect(normalizeEmail('kim@GMAIL.com')).toBe('kim@gmail.com');
  });

  it('falls back to folding a domain that IDNA refuses, so every string has a normal form', () => {
    expect(normalizeEmail('kim@xn--invalid-.COM')).toBe('kim@xn--invalid-.com');
    expect(normalizeEmail('kim@ex_ample.com')).toBe('kim@ex_ample.com');
  });

  it('is idempotent', () => {
    for (const typed of ['wİlliam@Bücher.de', 'ＷＩＬＬ@gmaİl.com', 'ΣΟΦΟΣ@example.com', 'kim@xn--invalid-.COM']) {
      expect(normalizeEmail(normalizeEmail(typed))).toBe(normalizeEmail(typed));
    }
  });

  it('of a plain-ASCII address is the trimmed address in lower case (what migration 0008 computes in SQL)', () => {
    const ascii = [
      'Ann@Example.com',
      ' X_Y+tag@Sub.EXAMPLE.org ',
      'a@XN--BCHER-KVA.DE',
      'a@xn--nope-.com',
      "o'brien@a-b.io",
      'q@[127.0.0.1]',
    ];
    for (const address of ascii) {
      expect(normalizeEmail(address)).toBe(address.trim().replace(/[A-Z]/g, (c) => c.toLowerCase()));
    }
  });
});

describe('accountKey', () => {
  it('is one key for every spelling of an address, so limits and lockouts are shared', () => {
    expect(accountKey('wİlliam@example.com')).toBe(accountKey('william@example.com'));
    expect(accountKey(' ＷＩＬＬＩＡＭ@EXAMPLE.com')).toBe(accountKey('william@example.com'));
    expect(accountKey('kim@gmaİl.com')).not.toBe(accountKey('kim@gmail.com'));
  });
});
