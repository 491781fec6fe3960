import { describe, expect, it } from 'vitest';
import { authorizeHref, mfaChallengeFromFragment, PROVIDER_ERROR_CODES, providerErrorSentence } from './sign-in-providers';

describe('sign-in providers', () => {
  it('starts at the server with the page to come back to', () => {
    expect(authorizeHref('google', '/')).toBe('/api/v1/login/oauth/google/authorize');
    expect(authorizeHref('google', '/items?page=2')).toBe('/api/v1/login/oauth/google/authorize?redirect_to=%2Fitems%3Fpage%3D2');
  });

  it('explains every code the server sends, each in its own words, naming the provider where it matters', () => {
    const fallback = providerErrorSentence('something_new', 'Google');
    const sentences = PROVIDER_ERROR_CODES.map((code) => providerErrorSentence(code, 'Google'));
    for (const sentence of sentences) expect(sentence).not.toBe(fallback);
    expect(new Set(sentences).size).toBe(PROVIDER_ERROR_CODES.length);
    expect(providerErrorSentence('email_conflict', 'Google')).toMatch(/password.*link Google from Settings/);
  });

  it('reads the second step a sign-in still owes from the fragment', () => {
    expect(mfaChallengeFromFragment('')).toBeNull();
    expect(mfaChallengeFromFragment('#mfa_token=abc&methods=totp%2Crecovery_code')).toEqual({
      kind: 'code',
      mfaToken: 'abc',
      methods: ['totp', 'recovery_code'],
    });
    expect(mfaChallengeFromFragment('#mfa_token=abc&mfa=setup')).toMatchObject({ kind: 'setup', mfaToken: 'abc' });
  });
});
