// Client-side checks that mirror the API's limits (api-contract.md), so people see a
// problem before a round trip. The server stays the authority: its `detail` is shown when
// it refuses anyway.

export const LIMITS = {
  emailMax: 255,
  passwordMin: 8,
  passwordMax: 128,
  nameMax: 255,
  titleMax: 255,
  descriptionMax: 255,
} as const;

/** The API counts Unicode code points, not UTF-16 units. */
export function codePointLength(value: string): number {
  return [...value].length;
}

// The shape the server accepts, closely enough: a dot-separated local part without quotes
// or specials, and a domain of letter/digit labels (hyphens inside) ending in an alphabetic
// TLD, so no IP literals and no dotless hosts. Finer rules (such as the 64-character local
// part) are left to the server, whose 422 message is shown next to the field.
const LOCAL = /^[^\s@".(),:;<>[\]\\]+(\.[^\s@".(),:;<>[\]\\]+)*$/u;
const DOMAIN = /^([\p{L}\p{N}]([\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}$/u;

function hasEmailShape(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  return LOCAL.test(address.slice(0, at)) && DOMAIN.test(address.slice(at + 1));
}

export type Check = (value: string) => string | undefined;

export function required(label: string): Check {
  return (value) => (value.trim() === '' ? `${label} is required` : undefined);
}

export function maxLength(label: string, max: number): Check {
  return (value) => (codePointLength(value) > max ? `${label} must be at most ${max} characters` : undefined);
}

export const email: Check = (value) => {
  const trimmed = value.trim();
  if (trimmed === '') return 'Email is required';
  if (codePointLength(trimmed) > LIMITS.emailMax) return `Email must be at most ${LIMITS.emailMax} characters`;
  if (!hasEmailShape(trimmed)) return 'Enter a valid email address';
  return undefined;
};

export function password(label = 'Password'): Check {
  return (value) => {
    if (value === '') return `${label} is required`;
    const length = codePointLength(value);
    if (length < LIMITS.passwordMin) return `${label} must be at least ${LIMITS.passwordMin} characters`;
    if (length > LIMITS.passwordMax) return `${label} must be at most ${LIMITS.passwordMax} characters`;
    return undefined;
  };
}

/** An optional field: empty passes, anything else must pass `check`. */
export function optional(check: Check): Check {
  return (value) => (value === '' ? undefined : check(value));
}

export function matches(other: () => string, message = 'Passwords do not match'): Check {
  return (value) => (value !== other() ? message : undefined);
}

export type Rules<T extends string> = Partial<Record<T, Check[]>>;
export type Errors<T extends string> = Partial<Record<T, string>>;

/** First failing message per field; an empty object means the form is valid. */
export function validate<T extends string>(values: Record<T, string>, rules: Rules<T>): Errors<T> {
  const errors: Errors<T> = {};
  for (const field of Object.keys(rules) as T[]) {
    for (const check of rules[field] ?? []) {
      const message = check(values[field]);
      if (message) {
        errors[field] = message;
        break;
      }
    }
  }
  return errors;
}

export function hasErrors(errors: Record<string, string | undefined>): boolean {
  return Object.values(errors).some(Boolean);
}
