/** /login and password recovery. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { caller } from '../auth/guards.js';
import { HttpError, Messages, ValidationError } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { FormBoolean, isTrue } from '../http/form-body.js';
import { requestOrigin } from '../http/origin.js';
import { BoundedText, errorResponses, Message, NonEmptyText, Password, UserPublic } from '../http/schemas.js';
import { MfaCode, TotpEnrolmentPublic, toTotpEnrolmentPublic } from '../mfa/schemas.js';
import type { AuthenticationResponseJSON } from '../passkeys/ceremonies.js';
import { asHttpRefusal } from '../passkeys/refusals.js';
import { AuthenticationResponse } from '../passkeys/schemas.js';
import { MAX_USERNAME_LENGTH } from '../security/login-lockout.js';
import { noStore, sendTokens, TokenResponse } from '../sessions/token-response.js';
import { toUserPublic } from '../users/public.js';
import { isUserGone } from '../users/user-gone.js';
import { MfaChallenge, rememberedDeviceOf, replyWithAdmission, setRememberedDeviceCookie } from './admission-reply.js';

/** For a user deleted meanwhile: as if there had been none. */
function ignoreUserGone(error: unknown): undefined {
  if (isUserGone(error)) return undefined;
  throw error;
}

const EmailParams = Type.Object({ email: Type.String() });

const TokensWithRecoveryCodes = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer(),
  refresh_token: Type.Optional(Type.String()),
  recovery_codes: Type.Array(Type.String(), { description: 'Shown once: each works once instead of a TOTP code' }),
});

export const loginRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { users, tokens, guards, accountEmails, config, audit, db, login } = ctx;
  app.addSchema(MfaChallenge);

  app.post(
    '/login/access-token',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'OAuth2 password login',
        description:
          'Form fields (`application/x-www-form-urlencoded`): `username` is the email. With REQUIRE_VERIFIED_LOGIN=true, ' +
          'an account whose email is not verified is refused with `400 Email not verified`. A user with a second factor ' +
          'gets no tokens: `403 Multi-factor authentication required` with an `mfa_token` and the `methods` they have, ' +
          'for POST /login/mfa (unless this browser is remembered). Under MFA_REQUIRED, a user without one gets ' +
          '`403 Multi-factor authentication setup required` with an `mfa_token` for POST /login/mfa/enroll.',
        consumes: ['application/x-www-form-urlencoded'],
        body: Type.Object({
          // An email is at most 255; a little more is allowed for what people type, never megabytes.
          username: Type.String({ minLength: 1, maxLength: MAX_USERNAME_LENGTH }),
          password: NonEmptyText,
          grant_type: Type.Optional(Type.String({ pattern: '^password$' })),
          scope: Type.Optional(BoundedText),
          client_id: Type.Optional(BoundedText),
          client_secret: Type.Optional(BoundedText),
        }),
        response: { 200: TokenResponse, 403: Type.Ref(MfaChallenge), ...errorResponses(400, 422, 429) },
      },
    },
    async (request, reply) => {
      const admission = await login.withPassword(request.body.username.trim(), request.body.password, requestOrigin(request), {
        rememberedDevice: rememberedDeviceOf(request),
      });
      return replyWithAdmission(request, reply, admission, tokens, config.cookieSecure);
    },
  );

  app.post(
    '/login/mfa',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'Second step of a login: a TOTP code, a recovery code or a passkey',
        description:
          'Form or JSON: the `mfa_token` of the 403 that asked for a second factor, and `code` (6 digits from the ' +
          'authenticator app, or an unused recovery code). Answers exactly as POST /login/access-token does. The token ' +
          'works once, for 5 minutes, and at most 5 wrong codes; wrong codes also count in the account lockout. With ' +
          '`remember_device: true` (and MFA_REMEMBER_DAYS > 0) an HttpOnly cookie lets this browser skip this step ' +
          'for MFA_REMEMBER_DAYS. Instead of `code` (JSON only): `passkey`, the browser’s answer to the options of ' +
          'POST /login/mfa/passkey-options.',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: Type.Object({
          mfa_token: NonEmptyText,
          code: Type.Optional(MfaCode),
          passkey: Type.Optional(AuthenticationResponse),
          remember_device: Type.Optional(FormBoolean),
        }),
        response: { 200: TokenResponse, ...errorResponses(400, 422, 429) },
      },
    },
    async (request, reply) => {
      const { mfa_token: mfaToken, code, passkey, remember_device: remember } = request.body;
      if ((code === undefined) === (passkey === undefined)) {
        throw new ValidationError([{ loc: ['body', 'code'], msg: 'Send either code or passkey', type: 'value_error' }]);
      }
      const origin = requestOrigin(request);
      const result =
        passkey === undefined
          ? await login.withSecondFactor(mfaToken, code as string, origin, isTrue(remember))
          : await login
              .withPasskeySecondFactor(mfaToken, passkey as AuthenticationResponseJSON, origin, isTrue(remember))
              .catch(asHttpRefusal);
      if (result.outcome === 'invalid-mfa-token' || result.outcome === 'already-enrolled') {
        throw new HttpError(400, Messages.invalidMfaToken);
      }
      if (result.outcome === 'wrong-code') throw new HttpError(400, Messages.invalidMfaCode);
      if (result.device) setRememberedDeviceCookie(reply, result.device, config.cookieSecure);
      return replyWithAdmission(request, reply, result, tokens, config.cookieSecure);
    },
  );

  app.post(
    '/login/mfa/enroll',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'Set up TOTP at login, where MFA_REQUIRED asks for it',
        description:
          'With the `mfa_token` of a `403 Multi-factor authentication setup required`: a pending TOTP enrolment, as ' +
          'POST /users/me/mfa/totp answers it. Confirm it with POST /login/mfa/enroll/confirm. Form or JSON.',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: Type.Object({ mfa_token: NonEmptyText }),
        response: { 200: Type.Ref(TotpEnrolmentPublic), ...errorResponses(400, 422) },
      },
    },
    async (request) => {
      const result = await login.startRequiredEnrolment(request.body.mfa_token);
      if (result.outcome !== 'enrolment') throw new HttpError(400, Messages.invalidMfaToken);
      return toTotpEnrolmentPublic(result.enrolment);
    },
  );

  app.post(
    '/login/mfa/enroll/confirm',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'Confirm the TOTP set up at login, and sign in',
        description:
          "A code from the new authenticator turns TOTP on and signs in: the answer is the login's tokens plus the " +
          '`recovery_codes`, shown once. Wrong codes count as for POST /login/mfa. Form or JSON.',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: Type.Object({ mfa_token: NonEmptyText, code: MfaCode }),
        response: { 200: TokensWithRecoveryCodes, ...errorResponses(400, 422, 429) },
      },
    },
    async (request, reply) => {
      const result = await login.confirmRequiredEnrolment(request.body.mfa_token, request.body.code, requestOrigin(request));
      if (result.outcome === 'invalid-mfa-token' || result.outcome === 'already-enrolled') {
        throw new HttpError(400, Messages.invalidMfaToken);
      }
      if (result.outcome === 'wrong-code') throw new HttpError(400, Messages.invalidMfaCode);
      if (result.outcome === 'refused') throw new HttpError(400, result.refusal.detail);
      // The enrolment just passed the second factor: no other outcome of the door remains.
      if (result.outcome !== 'enrolled') throw new HttpError(400, Messages.invalidMfaToken);
      const answer = await sendTokens(request, reply, tokens, result.grant, config.cookieSecure);
      return { ...answer, recovery_codes: result.recoveryCodes };
    },
  );

  app.post(
    '/login/test-token',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['login'],
        summary: 'Check an access token',
        response: { 200: Type.Ref(UserPublic), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => toUserPublic(caller(request)),
  );

  app.post(
    '/password-recovery/:email',
    {
      schema: {
        tags: ['login'],
        summary: 'Email a password-reset link',
        description: 'Always answers the same, whether or not the email is registered.',
        params: EmailParams,
        response: { 200: Type.Ref(Message) },
      },
    },
    async (request) => {
      // Answered before the address is even looked up (see requestPasswordReset): the same
      // path whether or not it is an account. The mail is only written to the outbox, so it
      // never waits for the mail server either. An account deleted meanwhile gets no mail.
      const origin = requestOrigin(request);
      accountEmails.requestPasswordReset(
        request.params.email.trim(),
        async (email) => {
          const user = await users.getByEmail(email);
          // Requests for a real account are bounded by RATE_LIMIT_RECOVERY_PER_EMAIL; for unknown
          // addresses anyone can make any number, so those are sampled.
          if (user || (await ctx.auditSampler.allow('password.recovery_requested'))) {
            await audit.record(db, origin, {
              type: 'password.recovery_requested',
              targetId: user?.id ?? null,
              details: { known: user !== null },
            });
          }
          return user;
        },
        (error) => {
          if (!isUserGone(error)) request.log.error({ err: error }, 'password recovery failed');
        },
      );
      return { message: Messages.recoverySent };
    },
  );

  app.post(
    '/reset-password/',
    {
      schema: {
        tags: ['login'],
        summary: 'Set a new password with a reset token',
        description:
          'The token is single-use, expires after EMAIL_RESET_TOKEN_EXPIRE_HOURS, and stops working once the password changes by any route.',
        body: Type.Object({ token: NonEmptyText, new_password: Password }),
        response: { 200: Type.Ref(Message), ...errorResponses(400, 422) },
      },
    },
    async (request) => {
      const outcome = await users.resetPassword(
        request.body.token,
        request.body.new_password,
        ctx.accountHooks.passwordReset(requestOrigin(request)),
      );
      if (outcome === 'invalid-token') throw new HttpError(400, Messages.invalidToken);
      if (outcome === 'inactive') throw new HttpError(400, Messages.inactiveUser);
      return { message: Messages.passwordUpdated };
    },
  );

  app.post(
    '/password-recovery-html-content/:email',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['login'],
        summary: 'Preview the password-reset email',
        description: 'Its reset link holds a placeholder, not a working token: no token is issued for a preview.',
        params: EmailParams,
        produces: ['text/html'],
        response: { 200: Type.String({ description: 'The HTML body of the email' }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await users.getByEmail(request.params.email.trim());
      const html = user ? await accountEmails.previewPasswordReset(user).catch(ignoreUserGone) : undefined;
      if (!html) throw new HttpError(404, Messages.noUserWithUsername);
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );
};
