/**
 * The sign-in providers: one interface, two kinds. Every OpenID Connect provider
 * runs on openid-client (discovery, PKCE, and the ID token's signature, issuer,
 * audience, nonce and expiry checked by a certified relying party); GitHub speaks
 * plain OAuth 2 and has its own adapter (github.ts). What comes out is the same:
 * who the provider says the user is, and whether it vouches for the email.
 */
import * as oidc from 'openid-client';
import { isLoopbackName } from '../config.js';
import { GithubProvider } from './github.js';
import type { OidcProviderSettings, ProviderSettings } from './settings.js';

/** Who the provider says signed in. */
export interface ProviderProfile {
  /** The provider's stable id for the user (`sub`; GitHub's numeric id). */
  subject: string;
  email: string | null;
  /** The provider vouches that the user controls `email`. */
  emailVerified: boolean;
  name: string | null;
}

/** What ties an authorization request to its callback (see flows.ts). */
export interface FlowSecrets {
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The provider answered the callback with an error (the user said no, or it refused). */
export class ProviderRefusedError extends Error {
  constructor(readonly code: string) {
    super(`the provider refused: ${code}`);
    this.name = 'ProviderRefusedError';
  }
}

/** The provider's metadata could not be fetched (discovery). */
export class ProviderUnavailableError extends Error {
  constructor(
    readonly provider: string,
    cause: unknown,
  ) {
    super(`${provider}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ProviderUnavailableError';
  }
}

export interface SignInProvider {
  readonly name: string;
  readonly displayName: string;
  /** Fetches what the provider publishes (OpenID discovery); throws ProviderUnavailableError. */
  prepare(): Promise<void>;
  /** Where to send the browser. */
  authorizationUrl(secrets: FlowSecrets): Promise<URL>;
  /**
   * Trades the callback's code for the user's profile, checking everything the
   * protocol lets a client check. Throws ProviderRefusedError when the callback
   * carries the provider's error; any other throw is a failed check.
   */
  complete(callbackQuery: URLSearchParams, secrets: FlowSecrets): Promise<ProviderProfile>;
}

export function createProvider(settings: ProviderSettings): SignInProvider {
  return settings.kind === 'github' ? new GithubProvider(settings) : new OidcProvider(settings);
}

const DISCOVERY_TIMEOUT_SECONDS = 10;

class OidcProvider implements SignInProvider {
  readonly name: string;
  readonly displayName: string;
  private configuration: Promise<oidc.Configuration> | null = null;

  constructor(private readonly settings: OidcProviderSettings) {
    this.name = settings.name;
    this.displayName = settings.displayName;
  }

  async prepare(): Promise<void> {
    await this.config();
  }

  /** Discovered once; a failure is forgotten, so the next sign-in tries again. */
  private config(): Promise<oidc.Configuration> {
    this.configuration ??= this.discover().catch((error) => {
      this.configuration = null;
      throw new ProviderUnavailableError(this.name, error);
    });
    return this.configuration;
  }

  private async discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.settings.issuer);
    // Plain http only for a provider on this machine (development, tests).
    const insecure = issuer.protocol === 'http:' && isLoopbackName(issuer.hostname);
    const config = await oidc.discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
      execute: insecure ? [oidc.allowInsecureRequests] : [],
      timeout: DISCOVERY_TIMEOUT_SECONDS,
    });
    // By default an ID token fetched straight from the token endpoint is trusted on TLS alone
    // (OpenID Connect Core 3.1.3.7 allows it); its signature is checked too, against the provider's keys.
    oidc.enableNonRepudiationChecks(config);
    return config;
  }

  async authorizationUrl(secrets: FlowSecrets): Promise<URL> {
    const config = await this.config();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: secrets.redirectUri,
      scope: this.settings.scopes.join(' '),
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  async complete(callbackQuery: URLSearchParams, secrets: FlowSecrets): Promise<ProviderProfile> {
    const error = callbackQuery.get('error');
    if (error) throw new ProviderRefusedError(error);
    const config = await this.config();
    const callbackUrl = new URL(secrets.redirectUri);
    callbackUrl.search = callbackQuery.toString();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: secrets.codeVerifier,
      expectedState: secrets.state,
      expectedNonce: secrets.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    let source: Record<string, unknown> = claims;
    // Some providers put the email only in the UserInfo answer (its `sub` is checked against the ID token's).
    if (typeof claims.email !== 'string' && config.serverMetadata().userinfo_endpoint) {
      source = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), sub: claims.sub };
    }
    return {
      subject: claims.sub,
      email: typeof source.email === 'string' && source.email !== '' ? source.email : null,
      emailVerified: source.email_verified === true,
      name: typeof source.name === 'string' && source.name !== '' ? source.name : null,
    };
  }
}
