/**
 * A local stand-in for GitHub's OAuth app endpoints and the two REST calls Roster
 * makes, answering as GitHub documents them: the authorize page (here it approves
 * at once and redirects back with a code), `POST /login/oauth/access_token` (form
 * in, JSON out when asked; a bad code is 200 with `error`), `GET /api/v3/user` and
 * `GET /api/v3/user/emails` with a bearer token. PKCE is checked as GitHub does.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  emails: { email: string; primary: boolean; verified: boolean; visibility: 'public' | 'private' | null }[];
}

export interface FakeGithub {
  /** OAUTH_GITHUB_URL */
  webUrl: string;
  /** OAUTH_GITHUB_API_URL */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  /** Follows Roster's authorize URL as `user` approving the app; returns the redirect back to Roster. */
  approve(authorizeUrl: string, user: GithubUser): Promise<URL>;
  /** The token requests received (form fields), for the test to inspect. */
  tokenRequests: Record<string, string>[];
  close(): Promise<void>;
}

export async function startFakeGithub(): Promise<FakeGithub> {
  const clientId = 'Iv1.fakegithubclient';
  const clientSecret = 'fake-github-client-secret';
  const codes = new Map<string, { user: GithubUser; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, GithubUser>();
  const tokenRequests: Record<string, string>[] = [];

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const form = Object.fromEntries(new URLSearchParams(text));
      tokenRequests.push(form);
      const grant = codes.get(form.code ?? '');
      codes.delete(form.code ?? '');
      const verifierOk =
        grant &&
        createHash('sha256')
          .update(form.code_verifier ?? '')
          .digest('base64url') === grant.challenge;
      if (form.client_id !== clientId || form.client_secret !== clientSecret) {
        return json(200, { error: 'incorrect_client_credentials' });
      }
      if (!grant || !verifierOk || form.redirect_uri !== grant.redirectUri) {
        return json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
      }
      const token = `gho_${randomBytes(18).toString('hex')}`;
      tokens.set(token, grant.user);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (req.method === 'GET' && url.pathname.startsWith('/api/v3/')) {
      if (!user) return json(401, { message: 'Bad credentials' });
      if (!req.headers['user-agent']) return json(403, { message: 'Request forbidden by administrative rules.' });
      if (url.pathname === '/api/v3/user') {
        const primary = user.emails.find((e) => e.primary && e.visibility === 'public');
        return json(200, { id: user.id, login: user.login, name: user.name, email: primary?.email ?? null });
      }
      if (url.pathname === '/api/v3/user/emails') return json(200, user.emails);
    }
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    webUrl: base,
    apiUrl: `${base}/api/v3`,
    clientId,
    clientSecret,
    tokenRequests,
    async approve(authorizeUrl, user) {
      const asked = new URL(authorizeUrl);
      if (asked.origin !== base || asked.pathname !== '/login/oauth/authorize') throw new Error(`not GitHub: ${authorizeUrl}`);
      if (asked.searchParams.get('client_id') !== clientId) throw new Error('wrong client_id');
      if (asked.searchParams.get('code_challenge_method') !== 'S256') throw new Error('no PKCE');
      const code = randomBytes(10).toString('hex');
      const redirectUri = asked.searchParams.get('redirect_uri') as string;
      codes.set(code, { user, challenge: asked.searchParams.get('code_challenge') as string, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', asked.searchParams.get('state') as string);
      return back;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
