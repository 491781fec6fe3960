import { describe, expect, it } from 'vitest';
import { ApiError, detailMessage, errorMessage, fieldErrorsFromDetail, NETWORK_ERROR_MESSAGE } from './errors';

describe('detailMessage', () => {
  it('shows a string detail verbatim', () => {
    expect(detailMessage('Incorrect email or password', 400)).toBe('Incorrect email or password');
  });

  it('joins 422 issues with their field names', () => {
    const detail = [
      { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' },
      { loc: ['body', 'new_password'], msg: 'String should have at least 8 characters', type: 'string_too_short' },
    ];
    expect(detailMessage(detail, 422)).toBe(
      'Email: value is not a valid email address; New password: String should have at least 8 characters',
    );
  });

  it('uses the bare message when loc names no field, and drops duplicates', () => {
    const detail = [
      { loc: ['body'], msg: 'Input should be an object', type: 'x' },
      { loc: ['body'], msg: 'Input should be an object', type: 'x' },
    ];
    expect(detailMessage(detail, 422)).toBe('Input should be an object');
  });

  it('falls back to a status-based sentence when there is no usable detail', () => {
    expect(detailMessage(undefined, 0)).toBe(NETWORK_ERROR_MESSAGE);
    expect(detailMessage(undefined, 502)).toMatch(/server had a problem/);
    expect(detailMessage({ weird: true }, 418)).toBe('Request failed (HTTP 418).');
    expect(detailMessage('', 400)).toBe('Request failed (HTTP 400).');
    expect(detailMessage([{ nope: 1 }], 422)).toBe('Request failed (HTTP 422).');
  });
});

describe('fieldErrorsFromDetail', () => {
  it('maps body issues to their field, first message wins', () => {
    const detail = [
      { loc: ['body', 'email'], msg: 'first', type: 'a' },
      { loc: ['body', 'email'], msg: 'second', type: 'b' },
      { loc: ['query', 'limit'], msg: 'not a body field', type: 'c' },
      { loc: ['body', 'items', 0, 'title'], msg: 'nested', type: 'd' },
    ];
    expect(fieldErrorsFromDetail(detail)).toEqual({ email: 'first', title: 'nested' });
  });

  it('is empty for a string detail', () => {
    expect(fieldErrorsFromDetail('Invalid token')).toEqual({});
  });
});

describe('errorMessage', () => {
  it('reads ApiError, fetch TypeError and plain errors', () => {
    expect(errorMessage(new ApiError(400, 'Inactive user'))).toBe('Inactive user');
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe(NETWORK_ERROR_MESSAGE);
    expect(errorMessage(new Error('custom'))).toBe('custom');
    expect(errorMessage('???')).toBe('Something went wrong.');
  });

  it('exposes 422 field errors on ApiError', () => {
    const error = new ApiError(422, [{ loc: ['body', 'title'], msg: 'too long', type: 'x' }]);
    expect(error.fieldErrors).toEqual({ title: 'too long' });
    expect(error.status).toBe(422);
  });
});

describe('ApiError.messageWithout', () => {
  const detail = [
    { loc: ['body', 'password'], msg: 'Password is too common', type: 'value_error' },
    { loc: ['query', 'password'], msg: 'odd', type: 'x' },
    { loc: ['body', 'is_superuser'], msg: 'Input should be a valid boolean', type: 'bool_type' },
  ];

  it('leaves out what the form shows at its fields', () => {
    const error = new ApiError(422, detail);
    expect(error.messageWithout(['password'])).toBe('Password: odd; Is superuser: Input should be a valid boolean');
    expect(error.messageWithout(['password', 'is_superuser'])).toBe('Password: odd');
    expect(new ApiError(422, [detail[0]]).messageWithout(['password'])).toBeNull();
  });

  it('a detail that is not a list of issues is said whole', () => {
    expect(new ApiError(400, 'Incorrect password').messageWithout(['password'])).toBe('Incorrect password');
  });
});
