/**
 * Second factors of one's own account (/users/me/mfa…), remembered devices, and an
 * administrator's reset (/users/{id}/mfa). What changes a factor needs the current
 * password, and with MFA on a code, in the same request (step-up); wrong ones count
 * in the login lockout (security/hooks.ts).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RequestOrigin } from '../audit/service.js';
import { caller, callerSession } from '../auth/guards.js';
import { hasPassword } from '../auth/passwords.js';
import type { RememberedDeviceRow, UserRow } from '../db/schema.js';
import { HttpError, Messages, ValidationError } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { requestOrigin } from '../http/origin.js';
import { errorResponses, Message, Password, Uuid } from '../http/schemas.js';
import { requireManageable } from '../roles/refusals.js';
import { MfaCode, RecoveryCodes, TotpEnrolmentPublic, toTotpEnrolmentPublic } from './schemas.js';

const MfaStatusPublic = Type.Object(
  {
    totp: Type.Boolean({ description: 'An authenticator app is set up and on' }),
    recovery_codes_left: Type.Integer({ description: 'Unused recovery codes' }),
    passkeys: Type.Integer(),
  },
  { $id: 'MfaStatus' },
);

const RememberedDevicePublic = Type.Object(
  {
    id: Uuid,
    created_at: Type.String({ format: 'date-time' }),
    last_used_at: Type.String({ format: 'date-time', description: 'The last login that skipped the second step with it' }),
    expires_at: Type.String({ format: 'date-time' }),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'RememberedDevice' },
);
const RememberedDevicesPublic = Type.Object(
  { data: Type.Array(Type.Ref(RememberedDevicePublic)), count: Type.Integer() },
  { $id: 'RememberedDevices' },
);

function toDevicePublic(device: RememberedDeviceRow) {
  return {
    id: device.id,
    created_at: device.createdAt.toISOString(),
    last_used_at: device.lastUsedAt.toISOString(),
    expires_at: device.expiresAt.toISOString(),
    user_agent: device.userAgent,
    ip: device.ip,
  };
}

/** What the schema said before `current_password` became optional for accounts without a password. */
const passwordMissing = { loc: ['body', 'current_password'], msg: 'Field required', type: 'missing' };

const StepUp = { current_password: Password, code: Type.Optional(MfaCode) };

export const mfaRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { guards, users, mfa, rememberedDevices: devices, audit, db, reauth } = ctx;
  for (const schema of [MfaStatusPublic, RememberedDevicePublic]) app.addSchema(schema);

  /** The current password, and with MFA on a code: what a change to one's factors asks for. */
  async function stepUp(me: UserRow, origin: RequestOrigin, password: string, code: string | undefined): Promise<void> {
    await reauth.requirePassword(me, password, origin, 'mfa_change');
    if (!me.mfaEnabled) return;
    if (code === undefined) throw new HttpError(400, Messages.mfaCodeRequired);
    await reauth.requireCode(me, code, origin);
  }

  /**
   * Who turns on a factor proves it is them: with the current password, or, for an account that has none (a
   * sign-in provider created it), with a recent sign-in, as linking a provider and changing the email accept.
   * An account with a password is asked for it whatever its session: as before, nothing is weakened for it.
   */
  async function confirmEnrolment(me: UserRow, sessionId: string, origin: RequestOrigin, password: string | undefined) {
    if (!hasPassword(me)) {
      if (password !== undefined) throw new HttpError(400, Messages.noPassword);
      if (await reauth.isRecent(sessionId)) return;
      await reauth.refused(origin, me.id, 'mfa_change', 'not_recent');
      throw new HttpError(403, Messages.signInAgainForMfa);
    }
    if (password === undefined) throw new ValidationError([passwordMissing]);
    await reauth.requirePassword(me, password, origin, 'mfa_change');
  }

  app.get(
    '/users/me/mfa',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['mfa'],
        summary: 'My second factors',
        response: { 200: Type.Ref(MfaStatusPublic), ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const status = await mfa.status(caller(request).id);
      return { totp: status.totp, recovery_codes_left: status.recoveryCodesLeft, passkeys: status.passkeys };
    },
  );

  app.post(
    '/users/me/mfa/totp',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['mfa'],
        summary: 'Start setting up an authenticator app (TOTP)',
        description:
          'Needs `current_password`; an account without a password (a sign-in provider created it) needs a recent ' +
          'sign-in instead (within REAUTH_WINDOW_MINUTES), else `403 Sign in again to turn on two-factor authentication`. ' +
          'Answers a pending enrolment: the base32 `secret`, its `otpauth_uri` and a QR ' +
          'code (`qr_svg`). Nothing is enforced until POST /users/me/mfa/totp/confirm; asking again starts over with a ' +
          'new secret. `400` if TOTP is already on.',
        body: Type.Object({ current_password: Type.Optional(Password) }),
        response: { 200: Type.Ref(TotpEnrolmentPublic), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request) => {
      const me = caller(request);
      await confirmEnrolment(me, callerSession(request), requestOrigin(request), request.body.current_password);
      const enrolment = await mfa.startTotp(me);
      if (!enrolment) throw new HttpError(400, Messages.totpAlreadyEnabled);
      return toTotpEnrolmentPublic(enrolment);
    },
  );

  app.post(
    '/users/me/mfa/totp/confirm',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['mfa'],
        summary: 'Turn on the authenticator app being set up',
        description:
          'A `code` from the app turns TOTP on; the answer holds ten recovery codes, shown once. The owner is emailed.',
        body: Type.Object({ code: MfaCode }),
        response: { 200: Type.Ref(RecoveryCodes), ...errorResponses(400, 401, 403, 422) },
      },
    },
    async (request) => {
      const me = caller(request);
      const origin = requestOrigin(request);
      const codes = await mfa.confirmTotp(me, request.body.code, origin);
      if (!codes) {
        await mfa.recordFailure(db, me.id, origin, 'enrolment');
        throw new HttpError(400, Messages.invalidMfaCode);
      }
      return { recovery_codes: codes };
    },
  );

  app.delete(
    '/users/me/mfa/totp',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['mfa'],
        summary: 'Turn off the authenticator app',
        description:
          'Needs `current_password` and a `code` (TOTP or recovery code). With no other second factor left, MFA is off: ' +
          'the recovery codes go and every remembered device is forgotten. The owner is emailed.',
        body: Type.Object(StepUp),
        response: { 200: Type.Ref(Message), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request) => {
      const me = caller(request);
      const origin = requestOrigin(request);
      const status = await mfa.status(me.id);
      if (!status.totp) throw new HttpError(400, Messages.totpNotEnabled);
      await stepUp(me, origin, request.body.current_password, request.body.code);
      if (!(await mfa.disableTotp(me, origin))) throw new HttpError(400, Messages.totpNotEnabled);
      return { message: Messages.totpDisabled };
    },
  );

  app.post(
    '/users/me/mfa/recovery-codes',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['mfa'],
        summary: 'Replace my recovery codes',
        description: 'Needs `current_password` and a `code`; answers ten new codes, shown once. The old ones stop working.',
        body: Type.Object(StepUp),
        response: { 200: Type.Ref(RecoveryCodes), ...errorResponses(400, 401, 403, 422, 429) },
      },
    },
    async (request) => {
      const me = caller(request);
      const origin = requestOrigin(request);
      if (!me.mfaEnabled) throw new HttpError(400, Messages.totpNotEnabled);
      await stepUp(me, origin, request.body.current_password, request.body.code);
      return { recovery_codes: await mfa.regenerateRecoveryCodes(me, origin) };
    },
  );

  app.get(
    '/users/me/mfa/devices',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['mfa'],
        summary: 'Browsers remembered after a second factor',
        description: 'Each skips the second step of a password login until it expires (MFA_REMEMBER_DAYS) or is forgotten.',
        response: { 200: RememberedDevicesPublic, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const rows = await devices.list(db, caller(request).id);
      return { data: rows.map(toDevicePublic), count: rows.length };
    },
  );

  app.delete(
    '/users/me/mfa/devices/:device_id',
    {
      onRequest: guards.requireUser,
      schema: {
        tags: ['mfa'],
        summary: 'Forget a remembered browser',
        description: 'Its next password login asks for the second factor again.',
        params: Type.Object({ device_id: Uuid }),
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const me = caller(request);
      const id = request.params.device_id.toLowerCase();
      await db.transaction(async (tx) => {
        if (!(await devices.forget(tx, me.id, id))) throw new HttpError(404, Messages.deviceNotFound);
        await audit.record(tx, requestOrigin(request), {
          type: 'mfa.device_forgotten',
          targetId: me.id,
          details: { device_id: id },
        });
      });
      return { message: Messages.deviceForgotten };
    },
  );

  app.delete(
    '/users/:user_id/mfa',
    {
      config: { permission: 'users:write' },
      schema: {
        tags: ['mfa'],
        summary: "Reset a user's second factors",
        description:
          'Removes every factor and recovery code, forgets remembered devices, ends every session of the user and ' +
          'emails them. They sign in with their password alone until they set up a factor again (or are asked to by ' +
          'MFA_REQUIRED).',
        params: Type.Object({ user_id: Uuid }),
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const user = await users.getById(request.params.user_id.toLowerCase());
      if (!user) throw new HttpError(404, Messages.userNotFound);
      // A user admin may not reset a superuser's factors (nor anyone's who outranks them).
      await requireManageable(ctx.roles, caller(request), user);
      // An administrator resetting their own factors keeps the session they are using.
      const keep = user.id === caller(request).id ? callerSession(request) : undefined;
      await mfa.resetByAdmin(user, requestOrigin(request), keep);
      return { message: Messages.mfaReset };
    },
  );
};
