/**
 * The shape of a user as the CLI reads it (seed files, import files, the FastAPI
 * template's rows) and the checks that keep a bad record out of the database
 * with a message that names the field. Problems never quote a password or hash.
 *
 * Field names are the API's (`email`, `full_name`, `is_active`, …) so that what
 * `export` writes, `import` reads back unchanged.
 */
import { isValidEmail } from '../http/validation.js';

export interface ItemRecord {
  id: string | null;
  title: string;
  description: string | null;
  createdAt: string | null;
}

export interface UserRecord {
  /** `null`: the database assigns one. */
  id: string | null;
  email: string;
  fullName: string | null;
  isActive: boolean;
  isSuperuser: boolean;
  isVerified: boolean;
  createdAt: string | null;
  /** A plain password, hashed with Argon2id on the way in. */
  password: string | null;
  /** An argon2 or bcrypt hash from elsewhere, stored as it is. */
  hashedPassword: string | null;
  items: ItemRecord[];
}

/** An account imported without any password (see auth/passwords.ts); `export` writes its hash as null. */
export { NO_PASSWORD } from '../auth/passwords.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface CheckOptions {
  /** Values come from CSV cells: booleans as text, an empty cell as absent, items as JSON text. */
  fromText?: boolean;
  /** Seed files must give a password (or hash): their users are meant to sign in. */
  requirePassword?: boolean;
}

const MAX_TEXT = 255;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ARGON2_HASH = /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** The API's password rule: 8 to 128 characters (code points). */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length < 8 || length > 128) return 'the password must be 8 to 128 characters long';
  if (password.includes('\u0000')) return 'the password contains a NUL character';
  return null;
}

export function isPasswordHash(text: string): boolean {
  return ARGON2_HASH.test(text) || BCRYPT_HASH.test(text);
}

/** Thrown inside the checks; caught once at the top to become `{ok: false}`. */
class Invalid extends Error {}

export function checkUserRecord(input: unknown, options: CheckOptions = {}): Checked<UserRecord> {
  try {
    return { ok: true, value: userRecord(input, options) };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, problem: error.message };
    throw error;
  }
}

function userRecord(input: unknown, options: CheckOptions): UserRecord {
  const fields = objectOf(input, 'the record');
  const read = new FieldReader(fields, '', options.fromText ?? false);
  const email = read.string('email', { required: true, max: MAX_TEXT }) as string;
  const trimmed = email.trim();
  if (!isValidEmail(trimmed)) throw new Invalid(`email: ${quote(email)} is not a valid email address`);
  const password = read.string('password', { secret: true });
  const hashedPassword = read.string('hashed_password', { secret: true });
  if (password !== null && hashedPassword !== null) {
    throw new Invalid('password and hashed_password: give one or the other, not both');
  }
  if (password !== null) {
    const problem = passwordProblem(password);
    if (problem) throw new Invalid(`password: ${problem}`);
  }
  if (hashedPassword !== null && !isPasswordHash(hashedPassword)) {
    throw new Invalid('hashed_password: not an argon2 or bcrypt ($2a$, $2b$, $2y$) hash');
  }
  if (options.requirePassword && password === null && hashedPassword === null) {
    throw new Invalid('password: required (or hashed_password)');
  }
  return {
    id: read.uuid('id'),
    email: trimmed,
    fullName: read.string('full_name', { max: MAX_TEXT }),
    isActive: read.boolean('is_active', true),
    isSuperuser: read.boolean('is_superuser', false),
    isVerified: read.boolean('is_verified', false),
    createdAt: read.timestamp('created_at'),
    password,
    hashedPassword,
    items: itemRecords(fields.items, options.fromText ?? false),
  };
}

function itemRecords(value: unknown, fromText: boolean): ItemRecord[] {
  let list = value;
  if (fromText && typeof value === 'string') {
    if (value.trim() === '') return [];
    try {
      list = JSON.parse(value);
    } catch {
      throw new Invalid('items: not a JSON array');
    }
  }
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new Invalid('items: expected a list');
  return list.map((item, index) => {
    const read = new FieldReader(objectOf(item, `items[${index}]`), `items[${index}].`, false);
    const title = read.string('title', { required: true, max: MAX_TEXT }) as string;
    if (title.length === 0) throw new Invalid(`items[${index}].title: must not be empty`);
    return {
      id: read.uuid('id'),
      title,
      description: read.string('description', { max: MAX_TEXT }),
      createdAt: read.timestamp('created_at'),
    };
  });
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Invalid(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** Reads typed fields, naming the field (with its path prefix) in every problem. */
class FieldReader {
  constructor(
    private readonly fields: Record<string, unknown>,
    private readonly prefix: string,
    private readonly fromText: boolean,
  ) {}

  /** `undefined`, `null` and (from text) an empty cell all mean "not given". */
  private raw(name: string): unknown {
    const value = this.fields[name];
    if (value === null || value === undefined) return null;
    if (this.fromText && value === '') return null;
    return value;
  }

  string(name: string, rules: { required?: boolean; max?: number; secret?: boolean }): string | null {
    const value = this.raw(name);
    if (value === null) {
      if (rules.required) throw new Invalid(`${this.prefix}${name}: missing`);
      return null;
    }
    if (typeof value !== 'string') throw new Invalid(`${this.prefix}${name}: expected text`);
    if (value.includes('\u0000')) throw new Invalid(`${this.prefix}${name}: contains a NUL character`);
    if (rules.max !== undefined && [...value].length > rules.max) {
      throw new Invalid(`${this.prefix}${name}: longer than ${rules.max} characters`);
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === null) return fallback;
    if (typeof value === 'boolean') return value;
    if (this.fromText && typeof value === 'string') {
      const text = value.trim().toLowerCase();
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
    }
    throw new Invalid(`${this.prefix}${name}: expected true or false, got ${quote(String(value))}`);
  }

  uuid(name: string): string | null {
    const value = this.raw(name);
    if (value === null) return null;
    if (typeof value !== 'string' || !UUID.test(value)) throw new Invalid(`${this.prefix}${name}: not a UUID`);
    return value.toLowerCase();
  }

  /** An ISO 8601 timestamp with an offset (without one, the database's time zone would decide). */
  timestamp(name: string): string | null {
    const value = this.raw(name);
    if (value === null) return null;
    const match = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
    if (!match || !isRealDate(match)) {
      throw new Invalid(`${this.prefix}${name}: not an ISO 8601 timestamp with an offset, like 2024-05-01T12:00:00Z`);
    }
    return value as string;
  }
}

function isRealDate(match: RegExpExecArray): boolean {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => Number(part ?? 0));
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour < 24 && minute < 60 && second < 60;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
