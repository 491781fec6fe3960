/**
 * The sign-in providers' settings (OAUTH_*), read by config.ts with the rest.
 * OAUTH_PROVIDERS names them; each NAME has its own OAUTH_<NAME>_* variables.
 * Four names are presets that need only a client id and secret; any other name
 * is an OpenID Connect provider found by discovery from its OAUTH_<NAME>_ISSUER.
 */

export interface OidcProviderSettings {
  kind: 'oidc';
  /** Lower case, as in the URLs (`/login/oauth/<name>/…`) and the audit log (`oauth:<name>`). */
  name: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  /** Discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  scopes: string[];
}

export interface GithubProviderSettings {
  kind: 'github';
  name: string;
  displayName: string;
  clientId: string;
  clientSecret: string;
  /** Where users authorize (https://github.com, or a GitHub Enterprise Server). */
  webUrl: string;
  /** Its REST API (https://api.github.com, or `<server>/api/v3`). */
  apiUrl: string;
  scopes: string[];
}

export type ProviderSettings = OidcProviderSettings | GithubProviderSettings;

export interface OAuthSettings {
  providers: ProviderSettings[];
  /** A provider's sign-in may create an account when no local one has its email (OAUTH_SIGNUP). */
  signup: boolean;
  /** The address the API is reached at, for redirect URIs (PUBLIC_URL; default FRONTEND_HOST). */
  publicUrl: string;
}

interface Readers {
  boolean(name: string, fallback: boolean): boolean;
  /** An http(s) URL without a trailing slash, or the fallback (a problem is recorded when it is not one). */
  url(name: string, fallback: string | null): string | null;
}

type Source = Record<string, string | undefined>;

const DEFAULT_SCOPES = 'openid email profile';
const PROVIDER_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Presets: a client id and secret are all they need. */
const OIDC_PRESETS: Record<string, { displayName: string; issuer: (raw: Source, upper: string) => string }> = {
  google: { displayName: 'Google', issuer: () => 'https://accounts.google.com' },
  // The multi-tenant endpoints (common, organizations, consumers) publish a templated issuer;
  // openid-client's discovery knows it and checks each ID token against its own tenant.
  microsoft: {
    displayName: 'Microsoft',
    issuer: (raw, upper) => `https://login.microsoftonline.com/${raw[`OAUTH_${upper}_TENANT`] ?? 'common'}/v2.0`,
  },
  gitlab: { displayName: 'GitLab', issuer: () => 'https://gitlab.com' },
};

/** The variable part of a provider's names: `acme-id` → `ACME_ID`. */
export function envName(provider: string): string {
  return provider.toUpperCase().replace(/-/g, '_');
}

export function readOAuthSettings(raw: Source, frontendHost: string, problems: string[], read: Readers): OAuthSettings {
  const publicUrl = read.url('PUBLIC_URL', frontendHost) ?? frontendHost;
  const signup = read.boolean('OAUTH_SIGNUP', true);
  const names = (raw.OAUTH_PROVIDERS ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const providers: ProviderSettings[] = [];
  for (const name of new Set(names)) {
    if (!PROVIDER_NAME.test(name)) {
      problems.push(`OAUTH_PROVIDERS: "${name}" is not a provider name (a letter, then letters, digits or hyphens; at most 40).`);
      continue;
    }
    const provider = readProvider(raw, name, problems, read);
    if (provider) providers.push(provider);
  }
  return { providers, signup, publicUrl };
}

function readProvider(raw: Source, name: string, problems: string[], read: Readers): ProviderSettings | null {
  const upper = envName(name);
  const missing = [`OAUTH_${upper}_CLIENT_ID`, `OAUTH_${upper}_CLIENT_SECRET`].filter((key) => !raw[key]);
  const preset = OIDC_PRESETS[name];
  const issuer = read.url(`OAUTH_${upper}_ISSUER`, preset ? preset.issuer(raw, upper) : null);
  if (name !== 'github' && !issuer && !raw[`OAUTH_${upper}_ISSUER`]) missing.push(`OAUTH_${upper}_ISSUER`);
  if (missing.length > 0) {
    problems.push(`OAuth provider "${name}" (OAUTH_PROVIDERS) needs ${missing.join(' and ')}.`);
    return null;
  }
  const common = {
    name,
    clientId: raw[`OAUTH_${upper}_CLIENT_ID`] as string,
    clientSecret: raw[`OAUTH_${upper}_CLIENT_SECRET`] as string,
  };
  const scopesText = raw[`OAUTH_${upper}_SCOPES`];
  if (name === 'github') {
    return {
      kind: 'github',
      ...common,
      displayName: raw.OAUTH_GITHUB_DISPLAY_NAME ?? 'GitHub',
      webUrl: read.url('OAUTH_GITHUB_URL', 'https://github.com') as string,
      apiUrl: read.url('OAUTH_GITHUB_API_URL', 'https://api.github.com') as string,
      // Reading the email addresses needs user:email; read:user gives the profile.
      scopes: splitScopes(scopesText ?? 'read:user user:email'),
    };
  }
  if (!issuer) return null; // not a URL: already reported
  const scopes = splitScopes(scopesText ?? DEFAULT_SCOPES);
  if (!scopes.includes('openid')) {
    problems.push(`OAUTH_${upper}_SCOPES must include openid (an OpenID Connect sign-in), got "${scopesText}".`);
    return null;
  }
  return {
    kind: 'oidc',
    ...common,
    displayName: raw[`OAUTH_${upper}_DISPLAY_NAME`] ?? preset?.displayName ?? capitalize(name),
    issuer,
    scopes,
  };
}

function splitScopes(text: string): string[] {
  return text.split(/[\s,]+/).filter((scope) => scope !== '');
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
