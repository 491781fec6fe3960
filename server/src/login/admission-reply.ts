/**
 * The HTTP side of the door's answer, for every sign-in route: tokens and the refresh
 * cookie for a session, `403` with an `mfa_token` when a second factor (or, under
 * MFA_REQUIRED, its enrolment) is still owed, `400` with the contract's detail for a
 * refusal. A client that knows nothing of MFA shows the detail; none gets a session.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenService } from '../auth/tokens.js';
import { HttpError, Messages } from '../errors.js';
import { REMEMBERED_DEVICE_COOKIE } from '../mfa/remembered-devices.js';
import { sendTokens } from '../sessions/token-response.js';
import type { Admission } from './service.js';

/** Where the remembered-device cookie is sent: every sign-in route, nothing else. */
const DEVICE_COOKIE_PATH = '/api/v1/login';

export const MfaChallenge = Type.Object(
  {
    detail: Type.String(),
    mfa_token: Type.String({
      description: 'For POST /login/mfa (or, when setup is required, /login/mfa/enroll); valid 5 minutes',
    }),
    methods: Type.Optional(
      Type.Array(Type.String(), { description: 'The second factors the user has: `totp`, `recovery_code`, …' }),
    ),
  },
  { $id: 'MfaChallenge' },
);

export async function replyWithAdmission(
  request: FastifyRequest,
  reply: FastifyReply,
  admission: Admission,
  tokens: TokenService,
  secureCookie: boolean,
) {
  switch (admission.outcome) {
    case 'refused':
      throw new HttpError(400, admission.refusal.detail);
    case 'second-factor-required':
      return reply.code(403).send({ detail: Messages.mfaRequired, mfa_token: admission.mfaToken, methods: admission.methods });
    case 'setup-required':
      return reply.code(403).send({ detail: Messages.mfaSetupRequired, mfa_token: admission.mfaToken });
    case 'signed-in':
      return sendTokens(request, reply, tokens, admission.grant, secureCookie);
  }
}

/** The browser's remembered-device cookie, if it sent one. */
export function rememberedDeviceOf(request: FastifyRequest): string | null {
  return request.cookies?.[REMEMBERED_DEVICE_COOKIE] ?? null;
}

/**
 * Remembers the browser. HttpOnly, and SameSite=Lax rather than Strict: a social sign-in
 * comes back to Roster by a cross-site redirect, and the cookie must come with it. It only
 * ever spares a second step to someone who also proved the first factor.
 */
export function setRememberedDeviceCookie(reply: FastifyReply, device: { token: string; expiresAt: Date }, secure: boolean) {
  reply.setCookie(REMEMBERED_DEVICE_COOKIE, device.token, {
    path: DEVICE_COOKIE_PATH,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    expires: device.expiresAt,
  });
}
