/** OAUTH_* settings: presets, any OpenID Connect provider, and one clear line per problem. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const BASE = {
  ENVIRONMENT: 'local',
  PROJECT_NAME: 'Roster',
  SECRET_KEY: 'a-secret-key-long-enough-for-the-test-suite',
  FIRST_SUPERUSER: 'admin@example.com',
  FIRST_SUPERUSER_PASSWORD: 'a-good-password',
  FRONTEND_HOST: 'https://app.example.com',
};

const load = (env: Record<string, string>) => loadConfig({ ...BASE, ...env }).config.oauth;

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('sign-in provider settings', () => {
  it('none by default; PUBLIC_URL defaults to FRONTEND_HOST; sign-up on', () => {
    expect(load({})).toEqual({ providers: [], signup: true, publicUrl: 'https://app.example.com' });
    expect(load({ PUBLIC_URL: 'https://api.example.com/', OAUTH_SIGNUP: 'false' })).toMatchObject({
      publicUrl: 'https://api.example.com',
      signup: false,
    });
  });

  it('presets need only a client id and secret', () => {
    const providers = load({
      OAUTH_PROVIDERS: 'Google, microsoft,gitlab,github',
      ...Object.fromEntries(
        ['GOOGLE', 'MICROSOFT', 'GITLAB', 'GITHUB'].flatMap((n) => [
          [`OAUTH_${n}_CLIENT_ID`, `${n}-id`],
          [`OAUTH_${n}_CLIENT_SECRET`, `${n}-secret`],
        ]),
      ),
      OAUTH_MICROSOFT_TENANT: 'organizations',
    }).providers;
    expect(providers.map((p) => [p.name, p.kind, p.displayName])).toEqual([
      ['google', 'oidc', 'Google'],
      ['microsoft', 'oidc', 'Microsoft'],
      ['gitlab', 'oidc', 'GitLab'],
      ['github', 'github', 'GitHub'],
    ]);
    expect(providers[0]).toMatchObject({ issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'] });
    expect(providers[1]).toMatchObject({ issuer: 'https://login.microsoftonline.com/organizations/v2.0' });
    expect(providers[3]).toMatchObject({ webUrl: 'https://github.com', apiUrl: 'https://api.github.com' });
  });

  it('any other name is an OpenID Connect provider with its issuer, scopes and display name', () => {
    const [acme] = load({
      OAUTH_PROVIDERS: 'acme-id',
      OAUTH_ACME_ID_CLIENT_ID: 'id',
      OAUTH_ACME_ID_CLIENT_SECRET: 'secret',
      OAUTH_ACME_ID_ISSUER: 'https://id.acme.example/',
      OAUTH_ACME_ID_SCOPES: 'openid email',
    }).providers;
    expect(acme).toMatchObject({
      name: 'acme-id',
      kind: 'oidc',
      issuer: 'https://id.acme.example',
      scopes: ['openid', 'email'],
      displayName: 'Acme-id',
    });
  });

  it('one clear line for each provider that lacks a setting or has a bad one', () => {
    expect(
      problems({
        OAUTH_PROVIDERS: 'google,acme,bad name,okta',
        OAUTH_GOOGLE_CLIENT_ID: 'id',
        OAUTH_ACME_CLIENT_ID: 'id',
        OAUTH_ACME_CLIENT_SECRET: 'secret',
        OAUTH_OKTA_CLIENT_ID: 'id',
        OAUTH_OKTA_CLIENT_SECRET: 'secret',
        OAUTH_OKTA_ISSUER: 'https://okta.example',
        OAUTH_OKTA_SCOPES: 'email profile',
      }),
    ).toEqual([
      'OAuth provider "google" (OAUTH_PROVIDERS) needs OAUTH_GOOGLE_CLIENT_SECRET.',
      'OAuth provider "acme" (OAUTH_PROVIDERS) needs OAUTH_ACME_ISSUER.',
      'OAUTH_PROVIDERS: "bad name" is not a provider name (a letter, then letters, digits or hyphens; at most 40).',
      'OAUTH_OKTA_SCOPES must include openid (an OpenID Connect sign-in), got "email profile".',
    ]);
    expect(problems({ PUBLIC_URL: 'not a url' })).toEqual(['PUBLIC_URL must be an http(s) URL, got "not a url".']);
  });
});
