/**
 * The contract's schemas as TypeBox definitions: each gives the TypeScript type,
 * the request validator and the OpenAPI document.
 */
import { type StringOptions, Type } from '@sinclair/typebox';

/** A string or JSON `null` (an OpenAPI 3.1 type array, which Ajv validates directly). */
export const NullableString = (options: StringOptions = {}) =>
  Type.Unsafe<string | null>({ ...options, type: ['string', 'null'] });

/** A valid address, at most 255 characters once surrounding whitespace is trimmed. */
export const Email = Type.String({ format: 'email', maxLength: 255, transform: ['trim'], examples: ['user@example.com'] });
export const Password = Type.String({ minLength: 8, maxLength: 128 });
export const FullName = NullableString({ maxLength: 255 });
export const Uuid = Type.String({ format: 'uuid' });

export const Message = Type.Object({ message: Type.String() }, { $id: 'Message' });

export const ErrorDetail = Type.Object({ detail: Type.String() }, { $id: 'HTTPError' });

export const ValidationErrorBody = Type.Object(
  {
    detail: Type.Array(
      Type.Object({
        loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
        msg: Type.String(),
        type: Type.String(),
      }),
    ),
  },
  { $id: 'HTTPValidationError' },
);

export const UserPublic = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    full_name: FullName,
    is_active: Type.Boolean(),
    is_superuser: Type.Boolean(),
    is_verified: Type.Boolean(),
    mfa_enabled: Type.Boolean({
      description: 'The account has a second factor (read-only: set by enrolling one)',
      readOnly: true,
    }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'UserPublic' },
);

/**
 * Text with no shape of its own (tokens, OAuth2 client fields): bounded so that an
 * oversized value is a 422 before any work, never a megabyte hashed or looked up.
 */
export const MAX_TEXT_LENGTH = 1024;
export const BoundedText = Type.String({ maxLength: MAX_TEXT_LENGTH });
export const NonEmptyText = Type.String({ minLength: 1, maxLength: MAX_TEXT_LENGTH });

/** The most rows one page may ask for: ten times the web app's largest page, small enough to answer quickly. */
export const MAX_PAGE_LIMIT = 1000;

export const Paging = {
  skip: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
  limit: Type.Integer({
    minimum: 0,
    maximum: MAX_PAGE_LIMIT,
    default: 100,
    description: `Rows per page, at most ${MAX_PAGE_LIMIT}; more is a 422.`,
  }),
};

/** Response schemas shared by every route: the contract's error shapes. */
export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [code, code === 422 ? ValidationErrorBody : ErrorDetail]));
