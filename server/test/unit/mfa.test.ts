/** The MFA building blocks on their own: TOTP windows and replay, sealed secrets, recovery codes, amr. */
import { describe, expect, it } from 'vitest';
import { assuranceLevel, hasSecondFactor, joinAmr } from '../../src/login/assurance.js';
import { hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes } from '../../src/mfa/recovery-codes.js';
import { MFA_SECRET_CONTEXT, SecretBox } from '../../src/mfa/secret-box.js';
import { acceptedStep, newTotpSecret, stepAt, totpCodeAt } from '../../src/mfa/totp.js';

const T0 = Date.UTC(2030, 0, 1); // the start of a 30-second step
const secret = newTotpSecret();

describe('acceptedStep', () => {
  const step = stepAt(T0);

  it('takes the code of now and of one step either side, at their edges, and names its step', () => {
    expect(acceptedStep(secret, totpCodeAt(secret, T0), T0, null)).toBe(step);
    expect(acceptedStep(secret, totpCodeAt(secret, T0 - 1), T0, null)).toBe(step - 1);
    expect(acceptedStep(secret, totpCodeAt(secret, T0 + 30_000), T0 + 29_999, null)).toBe(step + 1);
    expect(acceptedStep(secret, totpCodeAt(secret, T0 - 30_001), T0, null)).toBeNull();
    expect(acceptedStep(secret, totpCodeAt(secret, T0 + 60_000), T0 + 29_999, null)).toBeNull();
  });

  it('refuses the last used step and every earlier one, but not a later one in the window', () => {
    expect(acceptedStep(secret, totpCodeAt(secret, T0), T0, step)).toBeNull();
    expect(acceptedStep(secret, totpCodeAt(secret, T0 - 1), T0, step)).toBeNull();
    expect(acceptedStep(secret, totpCodeAt(secret, T0 + 30_000), T0, step)).toBe(step + 1);
  });

  it('takes codes typed with spaces, refuses what is not six digits', () => {
    const code = totpCodeAt(secret, T0);
    expect(acceptedStep(secret, `${code.slice(0, 3)} ${code.slice(3)}`, T0, null)).toBe(step);
    expect(acceptedStep(secret, `${code}0`, T0, null)).toBeNull();
    expect(acceptedStep(secret, 'abcdef', T0, null)).toBeNull();
  });
});

describe('SecretBox', () => {
  const key = 'a-secret-key-that-is-long-enough-for-tests';
  const box = new SecretBox(key, MFA_SECRET_CONTEXT);

  it('opens what it sealed for the same user, with a fresh IV each time', () => {
    const sealed = box.seal(secret, 'user-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(secret);
    expect(box.seal(secret, 'user-1')).not.toBe(sealed);
    expect(box.open(sealed, 'user-1')).toBe(secret);
    expect(box.isStale(sealed)).toBe(false);
  });

  it('refuses another user’s row, an altered text, another SECRET_KEY and an unknown version', () => {
    const sealed = box.seal(secret, 'user-1');
    expect(() => box.open(sealed, 'user-2')).toThrow();
    const [v, iv, tag, data] = sealed.split('.') as [string, string, string, string];
    const flipped = `${data.slice(0, -1)}${data.endsWith('A') ? 'B' : 'A'}`;
    expect(() => box.open([v, iv, tag, flipped].join('.'), 'user-1')).toThrow();
    expect(() => new SecretBox('another-secret-key-that-is-long-enough', MFA_SECRET_CONTEXT).open(sealed, 'user-1')).toThrow();
    // Another use of the box (the webhook secrets) derives another key from the same SECRET_KEY.
    expect(() => new SecretBox(key, 'roster webhook secret-box v1').open(sealed, 'user-1')).toThrow();
    expect(() => box.open(['v9', iv, tag, data].join('.'), 'user-1')).toThrow(/version 9/);
    expect(box.isStale(['v0', iv, tag, data].join('.'))).toBe(true);
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes of 50 bits in xxxxx-xxxxx form, hashed the same however typed', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
      expect(looksLikeRecoveryCode(code)).toBe(true);
      expect(hashRecoveryCode(code.toUpperCase().replace('-', ' '))).toBe(hashRecoveryCode(code));
    }
    expect(looksLikeRecoveryCode('123456')).toBe(false);
    expect(looksLikeRecoveryCode('abcde-fghi1')).toBe(false);
  });
});

describe('authentication method references', () => {
  it('count a one-time code or a verified key as a second factor, a password or a provider alone not', () => {
    expect(hasSecondFactor(['pwd'])).toBe(false);
    expect(hasSecondFactor(['fed'])).toBe(false);
    expect(hasSecondFactor(['hwk'])).toBe(false);
    expect(hasSecondFactor(['pwd', 'otp'])).toBe(true);
    expect(hasSecondFactor(['hwk', 'user'])).toBe(true);
    expect(hasSecondFactor(['mfa'])).toBe(true);
    expect(assuranceLevel(['pwd'])).toBe(1);
    expect(assuranceLevel(joinAmr(['fed'], ['otp']))).toBe(2);
    expect(joinAmr(['pwd', 'otp'], ['otp'])).toEqual(['pwd', 'otp']);
  });
});
