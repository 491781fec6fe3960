/**
 * Passkeys over HTTP: the caller's own (/users/me/passkeys), an administrator's view
 * of a user's (/users/{id}/passkeys), and the sign-in without a password
 * (/login/passkey). Ceremony answers are the browser's JSON, passed through as they are.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RequestOrigin } from '../audit/service.js';
import { caller } from '../auth/guards.js';
import type { PasskeyRow, UserRow } from '../db/schema.js';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { requestOrigin } from '../http/origin.js';
import { errorResponses, Message, NonEmptyText, Password, Uuid } from '../http/schemas.js';
import { MfaChallenge, replyWithAdmission } from '../login/admission-reply.js';
import { MfaCode } from '../mfa/schemas.js';
import { requireManageable } from '../roles/refusals.js';
import { noStore, TokenResponse } from '../sessions/token-response.js';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from './ceremonies.js';
import { asHttpRefusal } from './refusals.js';
import { AuthenticationResponse, RegistrationResponse } from './schemas.js';

/** WebAuthn options as the browser takes them (PublicKeyCredential*OptionsJSON). */
const CeremonyOptions = (description: string, extra = {}) =>
  Type.Object({ ...extra, challenge: Type.String() }, { additionalProperties: true, description });

const PasskeyName = Type.String({ minLength: 1, maxLength: 64, transform: ['trim'] });

const PasskeyPublic = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    backed_up: Type.Boolean({ description: 'Synced to a cloud account (a copy exists beyond this device)' }),
    device_type: Type.Union([Type.Literal('singleDevice'), Type.Literal('multiDevice')], {
      description: '`multiDevice`: may be synced between devices; `singleDevice`: bound to one authenticator',
    }),
  },
  { $id: 'PasskeyPublic' },
);
const PasskeysPublic = Type.Object(
  { data: Type.Array(Type.Ref(PasskeyPublic)), count: Type.Integer() },
  { $id: 'PasskeysPublic' },
);

const PasskeyParams = Type.Object({ passkey_id: Uuid });
const UserPasskeyParams = Type.Object({ user_id: Uuid, passkey_id: Uuid });

function toPasskeyPublic(row: PasskeyRow) {
  return {
    id: row.id,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    backed_up: row.backedUp,
    device_type: row.deviceType as 'singleDevice' | 'multiDevice',
  };
}

export const passkeyRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { guards, passkeys, users, tokens, config, login, reauth } = ctx;
  for (const schema of [PasskeyPublic, PasskeysPublic, MfaChallenge]) app.addSchema(schema);

  /**
   * The caller's password, confirming a change that adds or removes a way into the account; with
   * MFA on, adding one also needs a second factor: a code (TOTP or recovery), or one of the
   * caller's passkeys answering the options of /users/me/passkeys/step-up-options.
   */
  async function confirmPassword(
    me: UserRow,
    password: string,
    origin: RequestOrigin,
    action: 'passkey_registration' | 'passkey_removal',
    secondFactor?: { code?: string; passkey?: unknown },
  ) {
    await reauth.requirePassword(me, password, origin, action);
    if (!secondFactor || !me.mfaEnabled) return;
    if (secondFactor.passkey !== undefined) {
      await passkeys.verifySecondFactor(me, secondFactor.passkey as AuthenticationResponseJSON, origin).catch(asHttpRefusal);
      return;
    }
    if (secondFactor.code === undefined) throw new HttpError(400, Messages.mfaCodeRequired);
    await reauth.requireCode(me, secondFactor.code, origin);
  }

  app.post(
    '/users/me/passkeys/registration-options',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['passkeys'],
        summary: 'Start adding a passkey',
        description:
          'Needs the current password (a wrong one counts as a failed login) and, when MFA is on, a second factor: ' +
          '`code` (TOTP or recovery code) or `passkey` (an answer to /users/me/passkeys/step-up-options). Answers WebAuthn creation options for ' +
          '`navigator.credentials.create()`: a discoverable credential, user verification preferred, no attestation, the ' +
          'caller’s passkeys excluded. The challenge works once, for 5 minutes. At most 10 passkeys per account.',
        body: Type.Object({
          current_password: Password,
          code: Type.Optional(MfaCode),
          passkey: Type.Optional(AuthenticationResponse),
        }),
        response: { 200: CeremonyOptions('PublicKeyCredentialCreationOptionsJSON'), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request) => {
      const origin = requestOrigin(request);
      const { current_password: password, code, passkey } = request.body;
      await confirmPassword(caller(request), password, origin, 'passkey_registration', { code, passkey });
      return passkeys.registrationOptions(caller(request)).catch(asHttpRefusal);
    },
  );

  app.post(
    '/users/me/passkeys',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['passkeys'],
        summary: 'Add a passkey',
        description:
          'With the browser’s answer to the options of `registration-options`. The owner is emailed. `409` when this ' +
          'authenticator’s credential is already registered.',
        body: Type.Object({ name: PasskeyName, response: RegistrationResponse }),
        response: { 200: Type.Ref(PasskeyPublic), ...errorResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request) => {
      const row = await passkeys
        .register(caller(request), request.body.name, request.body.response as RegistrationResponseJSON, requestOrigin(request))
        .catch(asHttpRefusal);
      return toPasskeyPublic(row);
    },
  );

  app.post(
    '/users/me/passkeys/step-up-options',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['passkeys'],
        summary: 'Options to confirm a change with one of one’s passkeys',
        description:
          'Request options for the caller’s own passkeys; the answer goes as `passkey` with a change that asks for a ' +
          'second factor (adding a passkey while MFA is on). Works once, for 5 minutes.',
        response: { 200: CeremonyOptions('PublicKeyCredentialRequestOptionsJSON'), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => passkeys.secondFactorOptions(caller(request)).catch(asHttpRefusal),
  );

  app.get(
    '/users/me/passkeys',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['passkeys'],
        summary: 'The caller’s passkeys',
        response: { 200: Type.Ref(PasskeysPublic), ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const rows = await passkeys.list(caller(request).id);
      return { data: rows.map(toPasskeyPublic), count: rows.length };
    },
  );

  app.patch(
    '/users/me/passkeys/:passkey_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['passkeys'],
        summary: 'Rename a passkey',
        params: PasskeyParams,
        body: Type.Object({ name: PasskeyName }),
        response: { 200: Type.Ref(PasskeyPublic), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const row = await passkeys.rename(caller(request).id, request.params.passkey_id.toLowerCase(), request.body.name);
      if (!row) throw new HttpError(404, Messages.passkeyNotFound);
      return toPasskeyPublic(row);
    },
  );

  app.delete(
    '/users/me/passkeys/:passkey_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['passkeys'],
        summary: 'Remove a passkey',
        description: 'Needs the current password, as adding one does. The owner is emailed.',
        params: PasskeyParams,
        body: Type.Object({ current_password: Password }),
        response: { 200: Type.Ref(Message), ...errorResponses(400, 401, 403, 404, 422, 429) },
      },
    },
    async (request) => {
      const origin = requestOrigin(request);
      await confirmPassword(caller(request), request.body.current_password, origin, 'passkey_removal');
      const removed = await passkeys.remove(caller(request), request.params.passkey_id.toLowerCase(), origin, false);
      if (!removed) throw new HttpError(404, Messages.passkeyNotFound);
      return { message: Messages.passkeyRemoved };
    },
  );

  app.get(
    '/users/:user_id/passkeys',
    {
      config: { permission: 'users:read' },
      schema: {
        tags: ['passkeys'],
        summary: 'A user’s passkeys',
        params: Type.Object({ user_id: Uuid }),
        response: { 200: Type.Ref(PasskeysPublic), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const user = await users.getById(request.params.user_id.toLowerCase());
      if (!user) throw new HttpError(404, Messages.userNotFound);
      const rows = await passkeys.list(user.id);
      return { data: rows.map(toPasskeyPublic), count: rows.length };
    },
  );

  app.delete(
    '/users/:user_id/passkeys/:passkey_id',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['passkeys'],
        summary: 'Remove a user’s passkey',
        description: 'Audited; the user is emailed.',
        params: UserPasskeyParams,
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const user = await users.getById(request.params.user_id.toLowerCase());
      if (!user) throw new HttpError(404, Messages.userNotFound);
      // Not the passkey of an account that holds a permission the caller lacks (a superuser's, for a user admin).
      await requireManageable(ctx.roles, caller(request), user);
      const removed = await passkeys.remove(user, request.params.passkey_id.toLowerCase(), requestOrigin(request), true);
      if (!removed) throw new HttpError(404, Messages.passkeyNotFound);
      return { message: Messages.passkeyRemoved };
    },
  );

  app.post(
    '/login/passkey/options',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'Start a sign-in with a passkey',
        description:
          'WebAuthn request options with an empty `allowCredentials` (the browser offers this site’s passkeys), user ' +
          'verification required, and the `challenge_id` to send back with the answer. Works once, for 5 minutes.',
        response: {
          200: CeremonyOptions('PublicKeyCredentialRequestOptionsJSON, with the challenge_id', { challenge_id: Uuid }),
          ...errorResponses(429),
        },
      },
    },
    async () => {
      const { challengeId, options } = await passkeys.signInOptions();
      return { ...options, challenge_id: challengeId };
    },
  );

  app.post(
    '/login/mfa/passkey-options',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'Second step of a login with a passkey: the options',
        description:
          'With the `mfa_token` of the 403 that asked for a second factor (its `methods` list `passkey`): request ' +
          'options for that user’s passkeys. The answer goes to POST /login/mfa as `passkey`.',
        body: Type.Object({ mfa_token: NonEmptyText }),
        response: { 200: CeremonyOptions('PublicKeyCredentialRequestOptionsJSON'), ...errorResponses(400, 422) },
      },
    },
    async (request) => {
      const options = await login.passkeyStepOptions(request.body.mfa_token).catch(asHttpRefusal);
      if (!options) throw new HttpError(400, Messages.invalidMfaToken);
      return options;
    },
  );

  app.post(
    '/login/passkey',
    {
      onRequest: noStore,
      schema: {
        tags: ['login'],
        summary: 'Sign in with a passkey',
        description:
          'With the `challenge_id` of `/login/passkey/options` and the browser’s answer. Answers what the password login ' +
          'answers (tokens; the refresh cookie with `X-Roster-Refresh: cookie`). The passkey verified its user, so it ' +
          'counts as two factors.',
        body: Type.Object({ challenge_id: Uuid, response: AuthenticationResponse }),
        response: { 200: TokenResponse, 403: Type.Ref(MfaChallenge), ...errorResponses(400, 422, 429) },
      },
    },
    async (request, reply) => {
      const admission = await login
        .withPasskey(
          request.body.challenge_id.toLowerCase(),
          request.body.response as AuthenticationResponseJSON,
          requestOrigin(request),
        )
        .catch(asHttpRefusal);
      return replyWithAdmission(request, reply, admission, tokens, config.cookieSecure);
    },
  );
};
