/**
 * A real OpenID Connect provider on loopback for the tests: panva's `oidc-provider`
 * (the reference implementation openid-client is certified against), started in
 * the test process with one static client and the accounts a test names. Its own
 * development login page signs in any account id; `signIn` fills it in over HTTP
 * the way a browser would, and returns the provider's redirect back to Roster.
 *
 * `tamperTokens` rewrites the token endpoint's answer before the relying party
 * sees it: a test swaps or forges the ID token to prove Roster refuses it.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The signing key (a private JWK), for a test that forges a token the provider never issued. */
  signingKey: { kty: string; kid: string; alg: string } & Record<string, unknown>;
  /** Set to rewrite the next token responses (the JSON body); `null` leaves them alone. */
  tamperTokens: ((body: Record<string, unknown>) => Promise<Record<string, unknown>>) | null;
  /**
   * Follows `authorizeUrl` through the provider's login page as `accountId`, and returns
   * the URL the provider redirects the browser to (Roster's callback, with code and state).
   */
  signIn(authorizeUrl: string, accountId: string): Promise<URL>;
  close(): Promise<void>;
}

export async function startOidcProvider(options: {
  redirectUris: string[];
  accounts: Record<string, TestAccount>;
}): Promise<TestProvider> {
  const clientId = 'roster-test';
  const clientSecret = 'roster-test-secret-roster-test-secret';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'test-key',
    alg: 'RS256',
    use: 'sig',
  } as TestProvider['signingKey'];

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signingKey as never] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The claims go into the ID token itself, as Google's do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: { keys: ['oidc-provider-test-cookie-key'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = options.accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    // Consent is given once for all: the test signs in and comes straight back.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client?.clientId as string,
        accountId: ctx.oidc.session?.accountId as string,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  const handle = provider.callback();

  const testProvider: TestProvider = {
    issuer,
    clientId,
    clientSecret,
    signingKey,
    tamperTokens: null,
    signIn: (authorizeUrl, accountId) => followLogin(authorizeUrl, accountId, options.redirectUris),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  server.on('request', (req, res) => {
    const tamper = testProvider.tamperTokens;
    if (tamper && req.method === 'POST' && req.url?.startsWith('/token')) interceptBody(res, tamper);
    handle(req, res);
  });
  return testProvider;
}

/** Holds back the response body, rewrites it, then sends it with its new length. */
function interceptBody(res: http.ServerResponse, tamper: (body: Record<string, unknown>) => Promise<Record<string, unknown>>) {
  const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
  res.end = ((chunk?: unknown) => {
    const text = Buffer.isBuffer(chunk) ? chunk.toString() : typeof chunk === 'string' ? chunk : '';
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text);
    } catch {
      return end(chunk);
    }
    void tamper(parsed).then((changed) => {
      const body = JSON.stringify(changed);
      if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
      end(body);
    });
    return res;
  }) as typeof res.end;
}

/** A browser's walk through the provider: cookies kept, the login form filled in, redirects followed. */
async function followLogin(authorizeUrl: string, accountId: string, redirectUris: string[]): Promise<URL> {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = (pair as string).indexOf('=');
      cookies.set((pair as string).slice(0, at), (pair as string).slice(at + 1));
    }
  };
  let url = new URL(authorizeUrl);
  let init: RequestInit = {};
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: cookieHeader() } });
    keep(response);
    init = {};
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (redirectUris.some((uri) => next.href.startsWith(uri))) return next;
      url = next;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action || !html.includes('name="prompt" value="login"')) {
      throw new Error(`unexpected page at the provider (${response.status}): ${html.slice(0, 300)}`);
    }
    url = new URL(action.replaceAll('&amp;', '&'), url);
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login: accountId, password: 'any' }).toString(),
    };
  }
  throw new Error('too many redirects at the provider');
}
