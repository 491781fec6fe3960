/** The HTTP shapes of second factors, shared by the enrolment routes and the login's MFA_REQUIRED enrolment. */
import { Type } from '@sinclair/typebox';
import type { TotpEnrolment } from './service.js';

/** A TOTP code (6 digits, spaces allowed) or a recovery code (`xxxxx-xxxxx`); anything longer is a 422. */
export const MfaCode = Type.String({ minLength: 1, maxLength: 32, description: 'A TOTP code or a recovery code' });

export const TotpEnrolmentPublic = Type.Object(
  {
    secret: Type.String({ description: 'Base32, for typing into an authenticator app' }),
    otpauth_uri: Type.String({ description: 'otpauth://totp/… (SHA-1, 6 digits, 30 s; issuer PROJECT_NAME)' }),
    qr_svg: Type.String({ description: 'The URI as a QR code, an SVG document' }),
  },
  { $id: 'TotpEnrolment' },
);

export const RecoveryCodes = Type.Object(
  { recovery_codes: Type.Array(Type.String(), { description: 'Shown once: each works once instead of a TOTP code' }) },
  { $id: 'RecoveryCodes' },
);

export function toTotpEnrolmentPublic(enrolment: TotpEnrolment) {
  return { secret: enrolment.secret, otpauth_uri: enrolment.otpauthUri, qr_svg: enrolment.qrSvg };
}
