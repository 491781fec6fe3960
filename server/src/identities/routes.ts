/**
 * Sign-in with other providers: the login page's list, the redirect to a provider
 * and its callback (/login/oauth/…), and the linked identities of an account
 * (/users/me/identities…, and a superuser's view of anyone's).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { caller, callerSession } from '../auth/guards.js';
import { hasPassword } from '../auth/passwords.js';
import type { UserIdentityRow } from '../db/schema.js';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { requestOrigin } from '../http/origin.js';
import { errorResponses, Message, Password, Uuid } from '../http/schemas.js';
import { rememberedDeviceOf } from '../login/admission-reply.js';
import { requireManageable } from '../roles/refusals.js';
import { noStore, setRefreshCookie } from '../sessions/token-response.js';
import { FLOW_LIFETIME_SECONDS } from './flows.js';
import type { Finish } from './sign-in.js';

/** The browser's half of a flow's state (flows.ts); sent back only to the callback. */
export const FLOW_COOKIE = 'roster_oauth_state';
const FLOW_COOKIE_PATH = '/api/v1/login/oauth/';

export const IdentityMessages = {
  unknownProvider: 'Unknown sign-in provider',
  identityNotFound: 'Linked account not found',
  lastMethod:
    'This is your only way to sign in: set a password (with a password-reset link) or link another account before removing it',
  identityUnlinked: 'Linked account removed',
  confirmPasswordToLink: 'Confirm your password to link a sign-in provider',
  signInAgainToLink: 'Sign in again to link a sign-in provider',
} as const;

/**
 * A path on the web app, never another site (422 otherwise): one leading slash (`//host`
 * and `/\host` are other hosts to a browser), no backslash, no control character or space.
 */
const RedirectTo = Type.String({ maxLength: 2000, pattern: '^/(?![/\\\\])[^\\\\\\s\\u0000-\\u001f\\u007f]*$' });

const ProviderParams = Type.Object({ provider: Type.String({ maxLength: 64 }) });

const LoginProvider = Type.Object({ name: Type.String(), display_name: Type.String() }, { $id: 'LoginProvider' });

const IdentityPublic = Type.Object(
  {
    id: Uuid,
    provider: Type.String(),
    display_name: Type.String({ description: 'The provider as the login page names it' }),
    email: Type.Union([Type.String(), Type.Null()], { description: 'The email the provider last gave' }),
    linked_at: Type.String({ format: 'date-time' }),
    last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'IdentityPublic' },
);
const IdentitiesPublic = Type.Object({ data: Type.Array(Type.Ref(IdentityPublic)), count: Type.Integer() });

export const identitiesRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { providerSignIn: signIn, identities, guards, config, users, reauth } = ctx;
  app.addSchema(LoginProvider);
  app.addSchema(IdentityPublic);

  const displayName = (provider: string) => signIn.list().find((entry) => entry.name === provider)?.display_name ?? provider;
  const toPublic = (row: UserIdentityRow): Static<typeof IdentityPublic> => ({
    id: row.id,
    provider: row.provider,
    display_name: displayName(row.provider),
    email: row.email,
    linked_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
  });
  const knownProvider = (name: string) => {
    if (!signIn.has(name)) throw new HttpError(404, IdentityMessages.unknownProvider);
    return name;
  };
  const setFlowCookie = (reply: FastifyReply, state: string) =>
    reply.setCookie(FLOW_COOKIE, state, {
      path: FLOW_COOKIE_PATH,
      httpOnly: true,
      // Lax: the provider's redirect back is a top-level navigation from its site.
      sameSite: 'lax',
      secure: config.cookieSecure,
      maxAge: FLOW_LIFETIME_SECONDS,
    });
  /** The web app's page that explains the outcome (and trades the cookie for an access token). */
  const callbackPage = (params: Record<string, string>) =>
    `${config.frontendHost}/login/callback?${new URLSearchParams(params).toString()}`;

  app.get(
    '/login/providers',
    {
      schema: {
        tags: ['login'],
        summary: 'The sign-in providers (for the login page’s buttons)',
        response: { 200: Type.Array(Type.Ref(LoginProvider)) },
      },
    },
    async () => signIn.list(),
  );

  app.get(
    '/login/oauth/:provider/authorize',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'Start signing in with a provider (redirects to it)',
        description:
          '302 to the provider with `state`, `nonce` and PKCE (S256); the state is single-use and valid 10 minutes, ' +
          'its browser half in an HttpOnly cookie. `redirect_to` is a path on the web app (default `/`). The callback ' +
          'ends at the web app’s `/login/callback`.',
        params: ProviderParams,
        querystring: Type.Object({ redirect_to: Type.Optional(RedirectTo) }),
        response: { 302: Type.Null(), ...errorResponses(400, 404, 422) },
      },
    },
    async (request, reply) => {
      const provider = knownProvider(request.params.provider);
      const redirectTo = request.query.redirect_to ?? '/';
      const started = await signIn.start(provider, redirectTo, null);
      if ('failed' in started) return reply.redirect(callbackPage({ error: started.failed, provider, redirect_to: redirectTo }));
      setFlowCookie(reply, started.state);
      return reply.redirect(started.url.href);
    },
  );

  app.get(
    '/login/oauth/:provider/callback',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'Where the provider sends the browser back',
        description:
          'Checks the state (with its cookie), then the provider’s answer (for OpenID Connect: issuer, audience, ' +
          'signature, nonce), applies the linking rules and signs the user in: the refresh token is set as the ' +
          'HttpOnly cookie and the browser goes to `FRONTEND_HOST/login/callback?redirect_to=…`. A user with a second ' +
          'factor gets no session yet: the browser goes there with `#mfa_token=…&methods=…` (or `#mfa_token=…&mfa=setup` ' +
          'under MFA_REQUIRED) for the MFA step (POST /login/mfa). Otherwise it goes ' +
          'there with `error=<code>`: provider_refused, provider_unavailable, provider_error, state_mismatch, ' +
          'email_conflict, signup_disabled, no_email, inactive, unverified, identity_taken, already_linked.',
        params: ProviderParams,
        querystring: Type.Object({}, { additionalProperties: Type.String({ maxLength: 4096 }) }),
        response: { 302: Type.Null(), ...errorResponses(404, 422) },
      },
    },
    async (request, reply) => {
      const provider = knownProvider(request.params.provider);
      const query = new URLSearchParams(request.query as Record<string, string>);
      const cookieState = request.cookies[FLOW_COOKIE];
      reply.clearCookie(FLOW_COOKIE, { path: FLOW_COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure: config.cookieSecure });
      const finish: Finish = await signIn.finish(
        provider,
        query,
        cookieState,
        requestOrigin(request),
        request.log,
        rememberedDeviceOf(request),
      );
      switch (finish.kind) {
        case 'signed-in':
          setRefreshCookie(reply, finish.grant, config.cookieSecure);
          return reply.redirect(callbackPage({ redirect_to: finish.redirectTo }));
        case 'second-factor': {
          // No session yet. The token rides in the fragment: browsers send it to no server and
          // put it in no Referer; it works once, for 5 minutes, and only with a second factor.
          const step = new URLSearchParams({ mfa_token: finish.mfaToken });
          if (finish.methods) step.set('methods', finish.methods.join(','));
          else step.set('mfa', 'setup');
          return reply.redirect(`${callbackPage({ redirect_to: finish.redirectTo })}#${step.toString()}`);
        }
        case 'linked':
          return reply.redirect(callbackPage({ linked: finish.provider, redirect_to: finish.redirectTo }));
        case 'failed':
          return reply.redirect(callbackPage({ error: finish.code, provider, redirect_to: finish.redirectTo }));
      }
    },
  );

  app.get(
    '/users/me/identities',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['users'],
        summary: 'The caller’s linked sign-in providers',
        response: { 200: IdentitiesPublic, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const rows = await identities.list(caller(request).id);
      return { data: rows.map(toPublic), count: rows.length };
    },
  );

  app.post(
    '/users/me/identities/:provider/link',
    {
      onRequest: [noStore, guards.requireUser],
      schema: {
        tags: ['users'],
        summary: 'Start linking a sign-in provider to the caller’s account',
        description:
          'Needs a recent sign-in (within REAUTH_WINDOW_MINUTES) or `current_password` (a wrong one is `400 Incorrect ' +
          'password` and counts as a failed login). Answers the provider’s address for the browser to open; the ' +
          'callback links the identity and ends at `/login/callback?linked=<provider>` (or `error=<code>`).',
        params: ProviderParams,
        body: Type.Object({ current_password: Type.Optional(Password), redirect_to: Type.Optional(RedirectTo) }),
        response: {
          200: Type.Object({ authorization_url: Type.String() }),
          ...errorResponses(400, 401, 403, 404, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const me = caller(request);
      const provider = knownProvider(request.params.provider);
      const origin = requestOrigin(request);
      const { current_password: currentPassword, redirect_to: redirectTo = '/settings' } = request.body ?? {};
      if (currentPassword !== undefined) {
        await reauth.requirePassword(me, currentPassword, origin, 'identity_link');
      } else if (!(await reauth.isRecent(callerSession(request)))) {
        await reauth.refused(origin, me.id, 'identity_link', 'not_recent');
        throw new HttpError(403, hasPassword(me) ? IdentityMessages.confirmPasswordToLink : IdentityMessages.signInAgainToLink);
      }
      const started = await signIn.start(provider, redirectTo, me.id);
      if ('failed' in started) throw new HttpError(503, 'The sign-in provider cannot be reached; try again later');
      setFlowCookie(reply, started.state);
      return { authorization_url: started.url.href };
    },
  );

  app.delete(
    '/users/me/identities/:identity_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['users'],
        summary: 'Unlink a sign-in provider from the caller’s account',
        description: 'Refused (400) when it is the last way to sign in: no password and no other linked provider.',
        params: Type.Object({ identity_id: Uuid }),
        response: { 200: Type.Ref(Message), ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const me = caller(request);
      return unlinkAnswer(await identities.unlink(me.id, request.params.identity_id.toLowerCase(), requestOrigin(request)));
    },
  );

  app.get(
    '/users/:user_id/identities',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['users'],
        summary: 'A user’s linked sign-in providers',
        params: Type.Object({ user_id: Uuid }),
        response: { 200: IdentitiesPublic, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const userId = request.params.user_id.toLowerCase();
      if (!(await users.getById(userId))) throw new HttpError(404, Messages.userNotFound);
      const rows = await identities.list(userId);
      return { data: rows.map(toPublic), count: rows.length };
    },
  );

  app.delete(
    '/users/:user_id/identities/:identity_id',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['users'],
        summary: 'Unlink a sign-in provider from a user’s account',
        description: 'The same rule as for the user: never their last way to sign in.',
        params: Type.Object({ user_id: Uuid, identity_id: Uuid }),
        response: { 200: Type.Ref(Message), ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { user_id: userId, identity_id: identityId } = request.params;
      const user = await users.getById(userId.toLowerCase());
      if (!user) throw new HttpError(404, Messages.userNotFound);
      // Not an identity of an account that holds a permission the caller lacks (a superuser's, for a user admin).
      await requireManageable(ctx.roles, caller(request), user);
      return unlinkAnswer(await identities.unlink(userId.toLowerCase(), identityId.toLowerCase(), requestOrigin(request)));
    },
  );
};

function unlinkAnswer(outcome: 'unlinked' | 'not_found' | 'last_method') {
  if (outcome === 'not_found') throw new HttpError(404, IdentityMessages.identityNotFound);
  if (outcome === 'last_method') throw new HttpError(400, IdentityMessages.lastMethod);
  return { message: IdentityMessages.identityUnlinked };
}
