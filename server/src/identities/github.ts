/**
 * GitHub's sign-in: plain OAuth 2 (no ID token), then its REST API for who the
 * user is. Only the primary email, and only when GitHub has verified it, counts:
 * a secondary or unverified address says nothing about who owns an account here.
 * Endpoints as GitHub documents them ("Authorizing OAuth apps", "REST API: users,
 * emails"); OAUTH_GITHUB_URL and OAUTH_GITHUB_API_URL point at a GitHub Enterprise
 * Server (or, in the tests, a local one).
 */
import { createHash } from 'node:crypto';
import { sameText } from '../utils/same-text.js';
import type { FlowSecrets, ProviderProfile, SignInProvider } from './providers.js';
import { ProviderRefusedError } from './providers.js';
import type { GithubProviderSettings } from './settings.js';

const TIMEOUT_MS = 10_000;

export class GithubProvider implements SignInProvider {
  readonly name: string;
  readonly displayName: string;

  constructor(private readonly settings: GithubProviderSettings) {
    this.name = settings.name;
    this.displayName = settings.displayName;
  }

  /** Nothing to discover. */
  async prepare(): Promise<void> {}

  async authorizationUrl(secrets: FlowSecrets): Promise<URL> {
    const url = new URL(`${this.settings.webUrl}/login/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: this.settings.clientId,
      redirect_uri: secrets.redirectUri,
      scope: this.settings.scopes.join(' '),
      state: secrets.state,
      code_challenge: pkceChallenge(secrets.codeVerifier),
      code_challenge_method: 'S256',
      allow_signup: 'true',
    }).toString();
    return url;
  }

  async complete(callbackQuery: URLSearchParams, secrets: FlowSecrets): Promise<ProviderProfile> {
    const error = callbackQuery.get('error');
    if (error) throw new ProviderRefusedError(error);
    if (!sameText(callbackQuery.get('state') ?? '', secrets.state)) throw new Error('state mismatch');
    const code = callbackQuery.get('code');
    if (!code) throw new Error('no code in the callback');
    const accessToken = await this.exchange(code, secrets);
    const user = await this.api<{ id?: unknown; name?: unknown }>('/user', accessToken);
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new Error('GitHub /user gave no id');
    const emails = await this.api<unknown>('/user/emails', accessToken);
    const primary = Array.isArray(emails)
      ? (emails as { email?: unknown; primary?: unknown; verified?: unknown }[]).find((entry) => entry?.primary === true)
      : undefined;
    const verified = primary?.verified === true && typeof primary.email === 'string';
    return {
      subject: String(user.id),
      email: verified ? (primary.email as string) : null,
      emailVerified: verified,
      name: typeof user.name === 'string' && user.name !== '' ? user.name : null,
    };
  }

  private async exchange(code: string, secrets: FlowSecrets): Promise<string> {
    const response = await fetch(`${this.settings.webUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.settings.clientId,
        client_secret: this.settings.clientSecret,
        code,
        redirect_uri: secrets.redirectUri,
        code_verifier: secrets.codeVerifier,
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`GitHub token endpoint answered ${response.status}`);
    // GitHub answers a refused code with 200 and an `error` field.
    const body = (await response.json()) as { access_token?: unknown; error?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new Error(`GitHub refused the code: ${typeof body.error === 'string' ? body.error : 'no access token'}`);
    }
    return body.access_token;
  }

  private async api<T>(path: string, accessToken: string): Promise<T> {
    const response = await fetch(`${this.settings.apiUrl}${path}`, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${accessToken}`,
        'user-agent': 'Roster',
        'x-github-api-version': '2022-11-28',
      },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`GitHub ${path} answered ${response.status}`);
    return (await response.json()) as T;
  }
}

function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
