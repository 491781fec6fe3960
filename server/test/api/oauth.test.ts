/**
 * Sign-in with other providers (issue 15) against a real OpenID Connect provider
 * (oidc-provider, on loopback in this process) and a local GitHub: the four
 * linking decisions, the checks on the state, nonce, issuer and signature, the
 * redirect target, linking and unlinking, and what accounts without a password
 * are told.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, passkeys, sessions, userIdentities, users } from '../../src/db/schema.js';
import { totpCodeAt } from '../../src/mfa/totp.js';
import { ManualClock } from '../../src/utils/clock.js';
import { SUPERUSER, startTestApp, type TestApp } from '../helpers/app.js';
import { type FakeGithub, type GithubUser, startFakeGithub } from '../helpers/fake-github.js';
import { startOidcProvider, type TestProvider } from '../helpers/oidc-provider.js';

const FRONTEND = 'http://localhost:5173';
const callbackUri = (name: string) => `${FRONTEND}/api/v1/login/oauth/${name}/callback`;

/** The provider's accounts: ids are subjects. */
const ACCOUNTS = {
  newbie: { email: 'newbie@example.com', email_verified: true, name: 'New Bie' },
  unsure: { email: 'unsure@example.com', email_verified: false, name: 'Un Sure' },
  owner: { email: 'Owner@Example.com', email_verified: true, name: 'The Owner' },
  squatter: { email: 'owner@example.com', email_verified: false },
  claimant: { email: 'unverified-local@example.com', email_verified: true },
  sleeper: { email: 'sleeper@example.com', email_verified: true },
  linker: { email: 'somewhere-else@example.net', email_verified: true },
  nomail: { name: 'No Mail' },
  replay: { email: 'replay@example.com', email_verified: true },
  guarded: { email: 'guarded@example.com', email_verified: true },
};

let provider: TestProvider;
let github: FakeGithub;
let t: TestApp;
const clock = new ManualClock();

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: [callbackUri('acme')], accounts: ACCOUNTS });
  github = await startFakeGithub();
  t = await startTestApp({
    clock,
    env: {
      OAUTH_PROVIDERS: 'acme,github',
      OAUTH_ACME_CLIENT_ID: provider.clientId,
      OAUTH_ACME_CLIENT_SECRET: provider.clientSecret,
      OAUTH_ACME_ISSUER: provider.issuer,
      OAUTH_ACME_DISPLAY_NAME: 'Acme ID',
      OAUTH_GITHUB_CLIENT_ID: github.clientId,
      OAUTH_GITHUB_CLIENT_SECRET: github.clientSecret,
      OAUTH_GITHUB_URL: github.webUrl,
      OAUTH_GITHUB_API_URL: github.apiUrl,
    },
  });
});

afterAll(async () => {
  await t?.app.close();
  await t?.database.drop();
  await provider?.close();
  await github?.close();
});

interface Journey {
  /** The callback's answer (a 302 to the web app). */
  response: LightMyRequestResponse;
  /** Where the browser lands: the web app's /login/callback with its parameters. */
  landing: URL;
  /** The state cookie the browser held. */
  state: string;
  /** The provider's redirect back (code and state), for replays. */
  callback: URL;
}

function cookie(response: LightMyRequestResponse, name: string): string | undefined {
  return (response.cookies as { name: string; value: string }[]).find((c) => c.name === name)?.value;
}

async function authorize(name: string, redirectTo = '/items') {
  const response = await t.request({
    method: 'GET',
    url: `/api/v1/login/oauth/${name}/authorize?redirect_to=${encodeURIComponent(redirectTo)}`,
  });
  expect(response.statusCode, response.body).toBe(302);
  const state = cookie(response, 'roster_oauth_state');
  expect(state).toBeTruthy();
  return { location: response.headers.location as string, state: state as string };
}

async function callback(url: URL, state: string | undefined) {
  const response = await t.request({
    method: 'GET',
    url: `${url.pathname}${url.search}`,
    cookies: state ? { roster_oauth_state: state } : {},
  });
  expect(response.statusCode, response.body).toBe(302);
  const landing = new URL(response.headers.location as string);
  expect(landing.origin + landing.pathname).toBe(`${FRONTEND}/login/callback`);
  return { response, landing };
}

async function signInWith(account: keyof typeof ACCOUNTS, redirectTo = '/items'): Promise<Journey> {
  const { location, state } = await authorize('acme', redirectTo);
  const back = await provider.signIn(location, account);
  return { ...(await callback(back, state)), state, callback: back };
}

/** What the web app does on /login/callback: trades the refresh cookie for an access token. */
async function tradeCookie(journey: Journey) {
  const refresh = cookie(journey.response, 'roster_refresh');
  expect(refresh, 'refresh cookie').toBeTruthy();
  const response = await t.request({
    method: 'POST',
    url: '/api/v1/login/refresh-token',
    cookies: { roster_refresh: refresh as string },
    headers: { 'x-roster-refresh': 'cookie' },
  });
  expect(response.statusCode, response.body).toBe(200);
  return { authorization: `Bearer ${response.json().access_token}` };
}

async function me(auth: Record<string, string>) {
  const response = await t.request({ method: 'GET', url: '/api/v1/users/me', headers: auth });
  expect(response.statusCode).toBe(200);
  return response.json();
}

const identitiesOf = (userId: string) => t.ctx.db.select().from(userIdentities).where(eq(userIdentities.userId, userId));
const eventsOf = (type: string, targetId?: string | null) =>
  t.ctx.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.type, type), targetId ? eq(auditEvents.targetId, targetId) : undefined));

async function localAccount(email: string, options: { verified: boolean; active?: boolean }) {
  return t.ctx.users.create({
    email,
    password: 'correct-horse-battery',
    fullName: 'Local',
    isVerified: options.verified,
    isActive: options.active ?? true,
  });
}

function expectFailure(journey: { landing: URL; response: LightMyRequestResponse }, code: string) {
  expect(journey.landing.searchParams.get('error')).toBe(code);
  expect(cookie(journey.response, 'roster_refresh')).toBeUndefined();
}

describe('the login page', () => {
  it('lists the providers in the order of OAUTH_PROVIDERS', async () => {
    const response = await t.request({ method: 'GET', url: '/api/v1/login/providers' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { name: 'acme', display_name: 'Acme ID' },
      { name: 'github', display_name: 'GitHub' },
    ]);
  });

  it('sends the browser to the provider with state, nonce and PKCE S256, and keeps the state in an HttpOnly cookie', async () => {
    const response = await t.request({ method: 'GET', url: '/api/v1/login/oauth/acme/authorize' });
    expect(response.statusCode).toBe(302);
    const url = new URL(response.headers.location as string);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('redirect_uri')).toBe(callbackUri('acme'));
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    const set = (
      response.cookies as { name: string; value: string; httpOnly?: boolean; sameSite?: string; path?: string }[]
    ).find((c) => c.name === 'roster_oauth_state');
    expect(set?.value).toBe(url.searchParams.get('state'));
    expect(set?.httpOnly).toBe(true);
    expect(set?.sameSite).toBe('Lax');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('answers 404 for a provider that is not configured', async () => {
    const response = await t.request({ method: 'GET', url: '/api/v1/login/oauth/nowhere/authorize' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ detail: 'Unknown sign-in provider' });
  });

  it.each([
    'https://evil.example/steal',
    '//evil.example/steal',
    '/\\evil.example',
    'evil.example',
    '/ok\r\nLocation: https://evil.example',
  ])('refuses redirect_to %j (only a path on the web app)', async (target) => {
    const response = await t.request({
      method: 'GET',
      url: `/api/v1/login/oauth/acme/authorize?redirect_to=${encodeURIComponent(target)}`,
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers.location).toBeUndefined();
  });
});

describe('the four decisions', () => {
  it('4. no local account: creates one, verified as the provider says, without a password, and signs it in', async () => {
    const journey = await signInWith('newbie');
    expect(journey.landing.searchParams.get('redirect_to')).toBe('/items');
    expect(journey.landing.searchParams.get('error')).toBeNull();
    const auth = await tradeCookie(journey);
    const user = await me(auth);
    expect(user).toMatchObject({ email: 'newbie@example.com', full_name: 'New Bie', is_verified: true, is_active: true });
    const [identity] = await identitiesOf(user.id);
    expect(identity).toMatchObject({ provider: 'acme', subject: 'newbie', email: 'newbie@example.com' });
    expect(await eventsOf('user.signed_up', user.id)).toHaveLength(1);
    const [linked] = await eventsOf('identity.linked', user.id);
    expect(linked?.details).toMatchObject({ provider: 'acme', via: 'signup' });
    const [login] = await eventsOf('login.succeeded', user.id);
    expect(login?.details).toMatchObject({ method: 'oauth:acme' });
    // No password: a password login fails like any wrong password, and changing it says how to set one.
    expect((await t.login('newbie@example.com', 'correct-horse-battery')).statusCode).toBe(400);
    const change = await t.request({
      method: 'PATCH',
      url: '/api/v1/users/me/password',
      headers: auth,
      payload: { current_password: 'whatever-it-is', new_password: 'a-brand-new-password' },
    });
    expect(change.statusCode).toBe(400);
    expect(change.json().detail).toMatch(/no password yet/);
  });

  it('4. an email the provider has not verified makes an unverified account', async () => {
    const user = await me(await tradeCookie(await signInWith('unsure')));
    expect(user).toMatchObject({ email: 'unsure@example.com', is_verified: false });
  });

  it('1. a known identity signs in to its account (and nothing new is created)', async () => {
    const first = await me(await tradeCookie(await signInWith('newbie')));
    const [before] = await identitiesOf(first.id);
    clock.advance(60);
    const second = await me(await tradeCookie(await signInWith('newbie', '/settings')));
    expect(second.id).toBe(first.id);
    const rows = await identitiesOf(first.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.lastUsedAt?.getTime()).toBeGreaterThan(before?.lastUsedAt?.getTime() ?? 0);
    expect(await t.ctx.db.select().from(users).where(eq(users.emailNormalized, 'newbie@example.com'))).toHaveLength(1);
  });

  it('2. both sides verified the email: the identity is linked to the local account (audited) and it signs in', async () => {
    const local = await localAccount('owner@example.com', { verified: true });
    const journey = await signInWith('owner');
    const user = await me(await tradeCookie(journey));
    expect(user.id).toBe(local.id);
    expect(user.email).toBe('owner@example.com');
    const [identity] = await identitiesOf(local.id);
    expect(identity).toMatchObject({ provider: 'acme', subject: 'owner' });
    const [linked] = await eventsOf('identity.linked', local.id);
    expect(linked?.details).toMatchObject({ provider: 'acme', via: 'verified_email' });
    // The password still works: linking took nothing away.
    expect((await t.login('owner@example.com', 'correct-horse-battery')).statusCode).toBe(200);
  });

  it('3. the provider has not verified the email of a local account: nothing is linked, the user is told to link from Settings', async () => {
    const journey = await signInWith('squatter');
    expectFailure(journey, 'email_conflict');
    expect(journey.landing.searchParams.get('provider')).toBe('acme');
    const [owner] = await t.ctx.db.select().from(users).where(eq(users.emailNormalized, 'owner@example.com'));
    const identities = await identitiesOf(owner?.id as string);
    expect(identities.map((i) => i.subject)).toEqual(['owner']);
    const failures = await eventsOf('login.failed', owner?.id);
    expect(failures.some((e) => e.details.reason === 'email_conflict' && e.details.method === 'oauth:acme')).toBe(true);
  });

  it('3. the local account has not verified its email: nothing is linked even though the provider vouches', async () => {
    const local = await localAccount('unverified-local@example.com', { verified: false });
    expectFailure(await signInWith('claimant'), 'email_conflict');
    expect(await identitiesOf(local.id)).toEqual([]);
  });

  it('a provider that gives no email cannot create an account', async () => {
    expectFailure(await signInWith('nomail'), 'no_email');
  });

  it('an inactive user is refused, as with a password, and no session is opened', async () => {
    const local = await localAccount('sleeper@example.com', { verified: true, active: false });
    const journey = await signInWith('sleeper');
    expectFailure(journey, 'inactive');
    expect(await t.ctx.db.select().from(sessions).where(eq(sessions.userId, local.id))).toEqual([]);
    const failures = await eventsOf('login.failed', local.id);
    expect(failures.some((e) => e.details.reason === 'inactive' && e.details.method === 'oauth:acme')).toBe(true);
  });
});

describe('the checks on the way back', () => {
  it('a state works once: replaying the callback signs nobody in', async () => {
    const journey = await signInWith('replay');
    await tradeCookie(journey);
    const again = await callback(journey.callback, journey.state);
    expectFailure(again, 'state_mismatch');
  });

  it('a callback without the browser’s state cookie is refused and leaves the flow usable (no login CSRF)', async () => {
    const { location, state } = await authorize('acme');
    const back = await provider.signIn(location, 'replay');
    expectFailure(await callback(back, undefined), 'state_mismatch');
    expectFailure(await callback(back, 'someone-elses-state'), 'state_mismatch');
    // The rightful browser still finishes.
    const finished = await callback(back, state);
    expect(finished.landing.searchParams.get('error')).toBeNull();
  });

  it('a state is valid 10 minutes', async () => {
    const { location, state } = await authorize('acme');
    const back = await provider.signIn(location, 'replay');
    clock.advance(601);
    try {
      expectFailure(await callback(back, state), 'state_mismatch');
    } finally {
      clock.advance(-601);
    }
  });

  it('the provider’s refusal (the user said no) comes back as provider_refused', async () => {
    const { location, state } = await authorize('acme', '/items');
    const back = new URL(callbackUri('acme'));
    back.search = new URLSearchParams({
      error: 'access_denied',
      state: new URL(location).searchParams.get('state') as string,
    }).toString();
    const journey = await callback(back, state);
    expectFailure(journey, 'provider_refused');
    expect(journey.landing.searchParams.get('redirect_to')).toBe('/items');
  });

  /** Runs one sign-in with the token endpoint's answer rewritten. */
  async function withTamperedTokens(rewrite: (idToken: string) => Promise<string>) {
    provider.tamperTokens = async (body) => ({ ...body, id_token: await rewrite(body.id_token as string) });
    try {
      return await signInWith('replay');
    } finally {
      provider.tamperTokens = null;
    }
  }

  it('an ID token from an earlier sign-in (its nonce) is refused', async () => {
    let earlier = '';
    provider.tamperTokens = async (body) => {
      earlier = body.id_token as string;
      return body;
    };
    await signInWith('replay');
    expect(decodeJwt(earlier).nonce).toBeTruthy();
    const journey = await withTamperedTokens(async () => earlier);
    expectFailure(journey, 'provider_error');
  });

  it('an ID token whose payload was changed (signature no longer matches) is refused', async () => {
    const journey = await withTamperedTokens(async (token) => {
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'owner', email: 'owner@example.com' })).toString('base64url');
      return `${header}.${forged}.${signature}`;
    });
    expectFailure(journey, 'provider_error');
  });

  it('an ID token from another issuer is refused, even correctly signed', async () => {
    const key = await importJWK(provider.signingKey, 'RS256');
    const journey = await withTamperedTokens(async (token) => {
      const claims = decodeJwt(token);
      return new SignJWT({ ...claims, iss: 'http://127.0.0.1:9/elsewhere' })
        .setProtectedHeader({ alg: 'RS256', kid: provider.signingKey.kid })
        .sign(key);
    });
    expectFailure(journey, 'provider_error');
  });

  it('the same forgery with the right issuer would pass: the refusal above is the issuer check', async () => {
    const key = await importJWK(provider.signingKey, 'RS256');
    const journey = await withTamperedTokens(async (token) =>
      new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: 'RS256', kid: provider.signingKey.kid }).sign(key),
    );
    expect(journey.landing.searchParams.get('error')).toBeNull();
  });
});

describe('a user with a second factor', () => {
  it('passes the MFA step after a social sign-in before any session exists', async () => {
    const local = await localAccount('guarded@example.com', { verified: true });
    const auth = await t.authFor('guarded@example.com', 'correct-horse-battery');
    const started = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/totp',
      headers: auth,
      payload: { current_password: 'correct-horse-battery' },
    });
    expect(started.statusCode, started.body).toBe(200);
    const secret = started.json().secret as string;
    const code = () => totpCodeAt(secret, clock.now().getTime());
    const confirmed = await t.request({
      method: 'POST',
      url: '/api/v1/users/me/mfa/totp/confirm',
      headers: auth,
      payload: { code: code() },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    clock.advance(30); // the next code is a new one, not a replay of the confirmation's
    const sessionsBefore = (await t.ctx.db.select().from(sessions).where(eq(sessions.userId, local.id))).length;

    const journey = await signInWith('guarded');
    expect(journey.landing.searchParams.get('error')).toBeNull();
    expect(journey.landing.searchParams.get('redirect_to')).toBe('/items');
    const step = new URLSearchParams(journey.landing.hash.slice(1));
    expect(step.get('methods')).toBe('totp,recovery_code');
    expect(cookie(journey.response, 'roster_refresh')).toBeUndefined();
    // The provider proved one factor: no session yet, and the token is not a way in by itself.
    expect(await t.ctx.db.select().from(sessions).where(eq(sessions.userId, local.id))).toHaveLength(sessionsBefore);
    expect(await eventsOf('login.succeeded', local.id)).toHaveLength(1); // the password sign-in above only

    const wrong = await t.request({
      method: 'POST',
      url: '/api/v1/login/mfa',
      payload: { mfa_token: step.get('mfa_token'), code: '000000' },
    });
    expect(wrong.statusCode).toBe(400);
    const passed = await t.request({
      method: 'POST',
      url: '/api/v1/login/mfa',
      payload: { mfa_token: step.get('mfa_token'), code: code() },
    });
    expect(passed.statusCode, passed.body).toBe(200);
    const user = await me({ authorization: `Bearer ${passed.json().access_token}` });
    expect(user.id).toBe(local.id);
    const [session] = await t.ctx.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, local.id))
      .orderBy(desc(sessions.createdAt))
      .limit(1);
    expect(session?.amr).toEqual(['fed', 'otp']);
    const logins = await eventsOf('login.succeeded', local.id);
    expect(logins.some((e) => String(e.details.method).startsWith('oauth:acme'))).toBe(true);
  });
});

describe('linking and unlinking from Settings', () => {
  async function passwordUser(email: string) {
    await localAccount(email, { verified: true });
    return t.authFor(email, 'correct-horse-battery');
  }

  const startLink = (auth: Record<string, string>, name: string, payload: Record<string, unknown> = {}) =>
    t.request({ method: 'POST', url: `/api/v1/users/me/identities/${name}/link`, headers: auth, payload });

  it('a signed-in user links a provider whatever its email, and sees it listed', async () => {
    const auth = await passwordUser('links@example.com');
    const started = await startLink(auth, 'acme', { redirect_to: '/settings' });
    expect(started.statusCode, started.body).toBe(200);
    const state = cookie(started, 'roster_oauth_state') as string;
    const back = await provider.signIn(started.json().authorization_url, 'linker');
    const { landing, response } = await callback(back, state);
    expect(Object.fromEntries(landing.searchParams)).toEqual({ linked: 'acme', redirect_to: '/settings' });
    expect(cookie(response, 'roster_refresh')).toBeUndefined();
    const listed = await t.request({ method: 'GET', url: '/api/v1/users/me/identities', headers: auth });
    expect(listed.json()).toMatchObject({
      count: 1,
      data: [{ provider: 'acme', display_name: 'Acme ID', email: 'somewhere-else@example.net' }],
    });
    // Now the provider signs in to this account.
    const user = await me(await tradeCookie(await signInWith('linker')));
    expect(user.email).toBe('links@example.com');
  });

  it('an identity linked to another account cannot be linked again', async () => {
    const auth = await passwordUser('second-linker@example.com');
    const started = await startLink(auth, 'acme');
    const back = await provider.signIn(started.json().authorization_url, 'linker');
    expectFailure(await callback(back, cookie(started, 'roster_oauth_state')), 'identity_taken');
  });

  it('linking needs a recent sign-in or the current password', async () => {
    const auth = await passwordUser('stale@example.com');
    clock.advance(11 * 60);
    const stale = await startLink(auth, 'acme');
    expect(stale.statusCode).toBe(403);
    expect(stale.json().detail).toBe('Confirm your password to link a sign-in provider');
    const wrong = await startLink(auth, 'acme', { current_password: 'not-the-password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().detail).toBe('Incorrect password');
    const right = await startLink(auth, 'acme', { current_password: 'correct-horse-battery' });
    expect(right.statusCode).toBe(200);
  });

  it('unlinking the last way to sign in is refused; with another way it works and is audited', async () => {
    const journey = await signInWith('unsure');
    const auth = await tradeCookie(journey);
    const user = await me(auth);
    const [acme] = await identitiesOf(user.id);
    const unlink = (id: string) => t.request({ method: 'DELETE', url: `/api/v1/users/me/identities/${id}`, headers: auth });
    const refused = await unlink(acme?.id as string);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail).toMatch(/only way to sign in/);

    // Link GitHub too; then either one may go, but not both.
    const started = await startLink(auth, 'github');
    expect(started.statusCode, started.body).toBe(200);
    const back = await github.approve(started.json().authorization_url, {
      id: 4242,
      login: 'unsure',
      name: null,
      emails: [{ email: 'unsure@example.com', primary: true, verified: true, visibility: 'private' }],
    });
    expect((await callback(back, cookie(started, 'roster_oauth_state'))).landing.searchParams.get('linked')).toBe('github');
    expect((await unlink(acme?.id as string)).statusCode).toBe(200);
    const [gh] = await identitiesOf(user.id);
    expect(gh?.provider).toBe('github');
    expect((await unlink(gh?.id as string)).statusCode).toBe(400);
    const [event] = await eventsOf('identity.unlinked', user.id);
    expect(event?.details).toMatchObject({ provider: 'acme' });
    expect((await unlink(acme?.id as string)).statusCode).toBe(404);

    // A passkey is a way in too: with one, the last provider may go.
    await t.ctx.db.insert(passkeys).values({
      userId: user.id,
      credentialId: `credential-${user.id}`,
      publicKey: 'unused',
      deviceType: 'singleDevice',
      backedUp: false,
      name: 'Phone',
    });
    expect((await unlink(gh?.id as string)).statusCode).toBe(200);
  });

  it('an account with a password may unlink its only provider', async () => {
    const owner = await t.authFor('owner@example.com', 'correct-horse-battery');
    const list = (await t.request({ method: 'GET', url: '/api/v1/users/me/identities', headers: owner })).json();
    const removed = await t.request({
      method: 'DELETE',
      url: `/api/v1/users/me/identities/${list.data[0].id}`,
      headers: owner,
    });
    expect(removed.statusCode).toBe(200);
  });

  it('a superuser sees a user’s identities and can unlink them; nobody else can', async () => {
    const admin = await t.superuserAuth();
    const [linkUser] = await t.ctx.db.select().from(users).where(eq(users.emailNormalized, 'links@example.com'));
    const listed = await t.request({ method: 'GET', url: `/api/v1/users/${linkUser?.id}/identities`, headers: admin });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.map((i: { provider: string }) => i.provider)).toEqual(['acme']);
    const other = await passwordUser('nosy@example.com');
    const nosy = await t.request({ method: 'GET', url: `/api/v1/users/${linkUser?.id}/identities`, headers: other });
    expect(nosy.statusCode).toBe(403);
    const removed = await t.request({
      method: 'DELETE',
      url: `/api/v1/users/${linkUser?.id}/identities/${listed.json().data[0].id}`,
      headers: admin,
    });
    expect(removed.statusCode).toBe(200);
    const [event] = await eventsOf('identity.unlinked', linkUser?.id);
    const [adminRow] = await t.ctx.db.select().from(users).where(eq(users.emailNormalized, SUPERUSER.email));
    expect(event?.actorId).toBe(adminRow?.id);
  });
});

describe('GitHub (plain OAuth 2 and its REST API)', () => {
  const octo = (id: number, emails: GithubUser['emails']): GithubUser => ({ id, login: `user${id}`, name: 'Octo Cat', emails });

  async function githubSignIn(user: GithubUser) {
    const { location, state } = await authorize('github', '/items');
    const back = await github.approve(location, user);
    return callback(back, state);
  }

  it('signs up with the primary verified email, sending the PKCE verifier and the client secret', async () => {
    const journey = await githubSignIn(
      octo(1001, [
        { email: 'secondary@example.com', primary: false, verified: true, visibility: null },
        { email: 'octo@example.com', primary: true, verified: true, visibility: 'private' },
      ]),
    );
    expect(journey.landing.searchParams.get('error')).toBeNull();
    const user = await me(await tradeCookie({ ...journey, state: '', callback: new URL(FRONTEND) }));
    expect(user).toMatchObject({ email: 'octo@example.com', full_name: 'Octo Cat', is_verified: true });
    const [identity] = await identitiesOf(user.id);
    expect(identity).toMatchObject({ provider: 'github', subject: '1001' });
    const request = github.tokenRequests.at(-1);
    expect(request?.code_verifier).toMatch(/^[\w-]{43}$/);
    expect(request?.client_secret).toBe(github.clientSecret);
  });

  it('an unverified primary email counts for nothing (a verified secondary neither)', async () => {
    const journey = await githubSignIn(
      octo(1002, [
        { email: 'owner@example.com', primary: true, verified: false, visibility: 'public' },
        { email: 'elsewhere@example.com', primary: false, verified: true, visibility: null },
      ]),
    );
    expectFailure(journey, 'no_email');
  });

  it('a code GitHub refuses is a provider error', async () => {
    const { state } = await authorize('github');
    const back = new URL(callbackUri('github'));
    back.search = new URLSearchParams({ code: 'made-up', state }).toString();
    expectFailure(await callback(back, state), 'provider_error');
  });
});

describe('OAUTH_SIGNUP=false and an unreachable provider', () => {
  let closed: TestApp;
  beforeAll(async () => {
    closed = await startTestApp({
      env: {
        OAUTH_PROVIDERS: 'acme,down',
        OAUTH_SIGNUP: 'false',
        OAUTH_ACME_CLIENT_ID: provider.clientId,
        OAUTH_ACME_CLIENT_SECRET: provider.clientSecret,
        OAUTH_ACME_ISSUER: provider.issuer,
        OAUTH_DOWN_CLIENT_ID: 'x',
        OAUTH_DOWN_CLIENT_SECRET: 'y',
        // Nothing listens on port 9 (discard) on loopback.
        OAUTH_DOWN_ISSUER: 'http://127.0.0.1:9',
      },
    });
  });
  afterAll(async () => {
    await closed?.app.close();
    await closed?.database.drop();
  });

  it('no account is created; the user is told sign-up is closed', async () => {
    const started = await closed.request({ method: 'GET', url: '/api/v1/login/oauth/acme/authorize' });
    const back = await provider.signIn(started.headers.location as string, 'newbie');
    const response = await closed.request({
      method: 'GET',
      url: `${back.pathname}${back.search}`,
      cookies: { roster_oauth_state: cookie(started, 'roster_oauth_state') as string },
    });
    expect(new URL(response.headers.location as string).searchParams.get('error')).toBe('signup_disabled');
    expect(await closed.ctx.users.getByEmail('newbie@example.com')).toBeNull();
  });

  it('an unreachable provider sends the browser back with provider_unavailable; Roster keeps running', async () => {
    const response = await closed.request({ method: 'GET', url: '/api/v1/login/oauth/down/authorize?redirect_to=/items' });
    expect(response.statusCode).toBe(302);
    const landing = new URL(response.headers.location as string);
    expect(Object.fromEntries(landing.searchParams)).toEqual({
      error: 'provider_unavailable',
      provider: 'down',
      redirect_to: '/items',
    });
    expect((await closed.request({ method: 'GET', url: '/api/v1/login/providers' })).json()).toHaveLength(2);
  });
});
