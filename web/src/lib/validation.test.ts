import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  email,
  hasErrors,
  LIMITS,
  matches,
  maxLength,
  optional,
  password,
  required,
  validate,
} from './validation';

describe('email', () => {
  it('accepts ordinary addresses, trimming surrounding whitespace like the API', () => {
    expect(email('ann@example.com')).toBeUndefined();
    expect(email('  Ann.Lee+tag@mail.example.co.uk ')).toBeUndefined();
  });

  // Each of these is accepted by the server too.
  it.each([
    'a@b.co',
    'a+b@sub.example.museum',
    'äbc@example.com',
    'ann@exämple.com',
    "o'brien@example.ie",
    'x@my-host.example.org',
  ])('accepts %j', (value) => {
    expect(email(value)).toBeUndefined();
  });

  // Each of these the server refuses with 422 (checked against it).
  it.each([
    '',
    '   ',
    'ann',
    'ann@',
    '@example.com',
    'ann@example',
    'ann@@example.com',
    'an n@example.com',
    'ann@example.',
    'a..b@example.com',
    '.a@example.com',
    'a.@example.com',
    'a@example.c',
    'ann@exa_mple.com',
    'ann@-example.com',
    'a@localhost',
    'a@1.2.3.4',
    'a@example.com.',
    'a"b@example.com',
  ])('rejects %j', (value) => {
    expect(email(value)).toBeTypeOf('string');
  });

  it('says "required" for an empty value and "valid" for a malformed one', () => {
    expect(email('')).toBe('Email is required');
    expect(email('nope')).toBe('Enter a valid email address');
  });

  it('enforces the 255 limit', () => {
    const local = 'a'.repeat(255 - '@example.com'.length);
    expect(email(`${local}@example.com`)).toBeUndefined();
    expect(email(`${local}a@example.com`)).toMatch(/at most 255/);
  });
});

describe('password', () => {
  const check = password();
  it('requires 8 to 128 characters', () => {
    expect(check('')).toBe('Password is required');
    expect(check('1234567')).toMatch(/at least 8/);
    expect(check('12345678')).toBeUndefined();
    expect(check('x'.repeat(LIMITS.passwordMax))).toBeUndefined();
    expect(check('x'.repeat(LIMITS.passwordMax + 1))).toMatch(/at most 128/);
  });

  it('counts code points, as the API does: 8 emoji are 8 characters', () => {
    expect(codePointLength('😀😀😀😀')).toBe(4);
    expect(check('😀😀😀😀😀😀😀')).toMatch(/at least 8/); // 7 code points, 14 UTF-16 units
    expect(check('😀😀😀😀😀😀😀😀')).toBeUndefined();
  });

  it('uses the label in its messages', () => {
    expect(password('New password')('short')).toBe('New password must be at least 8 characters');
  });
});

describe('small checks', () => {
  it('required ignores whitespace-only input', () => {
    expect(required('Title')('  ')).toBe('Title is required');
    expect(required('Title')('x')).toBeUndefined();
  });

  it('maxLength counts code points', () => {
    expect(maxLength('Title', 3)('😀😀😀')).toBeUndefined();
    expect(maxLength('Title', 3)('😀😀😀😀')).toBe('Title must be at most 3 characters');
  });

  it('optional lets empty pass and checks the rest', () => {
    const check = optional(password());
    expect(check('')).toBeUndefined();
    expect(check('short')).toMatch(/at least 8/);
  });

  it('matches compares with the other value at check time', () => {
    let other = 'secret123';
    const check = matches(() => other);
    expect(check('secret123')).toBeUndefined();
    other = 'changed!!';
    expect(check('secret123')).toBe('Passwords do not match');
  });
});

describe('validate', () => {
  it('returns the first failing message per field and nothing for valid fields', () => {
    const errors = validate(
      { email: 'bad', password: '', name: 'Ann' },
      { email: [email], password: [required('Password'), password()], name: [maxLength('Name', 10)] },
    );
    expect(errors).toEqual({ email: 'Enter a valid email address', password: 'Password is required' });
    expect(hasErrors(errors)).toBe(true);
    expect(hasErrors(validate({ email: 'a@b.co' }, { email: [email] }))).toBe(false);
  });
});
