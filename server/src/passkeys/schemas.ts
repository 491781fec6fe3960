/** The JSON a browser's WebAuthn calls answer with (PublicKeyCredential.toJSON()), as request schemas. */
import { Type } from '@sinclair/typebox';

const Base64Url = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]*={0,2}$' });

/** What every credential JSON has; the ceremony checks the rest. Bounded, so no megabyte reaches a parser. */
const credentialFields = {
  id: Base64Url(1366),
  rawId: Base64Url(1366),
  type: Type.Literal('public-key'),
  clientExtensionResults: Type.Object({}, { additionalProperties: true }),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
};

export const RegistrationResponse = Type.Object(
  {
    ...credentialFields,
    response: Type.Object(
      {
        clientDataJSON: Base64Url(4096),
        attestationObject: Base64Url(32768),
        transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 })),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true, description: 'The browser’s registration response (PublicKeyCredential.toJSON())' },
);

export const AuthenticationResponse = Type.Object(
  {
    ...credentialFields,
    response: Type.Object(
      {
        clientDataJSON: Base64Url(4096),
        authenticatorData: Base64Url(4096),
        signature: Base64Url(1024),
        userHandle: Type.Optional(Base64Url(128)),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true, description: 'The browser’s authentication response (PublicKeyCredential.toJSON())' },
);
