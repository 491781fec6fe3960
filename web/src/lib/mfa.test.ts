import { describe, expect, it } from 'vitest';
import {
  groupSecret,
  isTotpCode,
  MFA_SETUP_REQUIRED,
  mfaChallengeFrom,
  normalizeCode,
  otpauthIssuer,
  recoveryCodesFileName,
  recoveryCodesText,
  svgDataUrl,
  totpCodeCheck,
} from './mfa';

describe('normalizeCode', () => {
  it('reduces an authenticator code to its six digits', () => {
    expect(normalizeCode('123456')).toBe('123456');
    expect(normalizeCode(' 123 456 ')).toBe('123456');
    expect(normalizeCode('123-456')).toBe('123456');
    expect(normalizeCode('123\u00a0456\n')).toBe('123456');
  });

  it('leaves a recovery code as typed, without whitespace', () => {
    expect(normalizeCode(' abcd-ef12 ')).toBe('abcd-ef12');
    expect(normalizeCode('ABCD EF12')).toBe('ABCDEF12');
    // Ten digits with a dash is not an authenticator code: the dash stays.
    expect(normalizeCode('12345-67890')).toBe('12345-67890');
  });

  it('tells authenticator codes from anything else', () => {
    expect(isTotpCode('123 456')).toBe(true);
    expect(isTotpCode('12345')).toBe(false);
    expect(isTotpCode('1234567')).toBe(false);
    expect(isTotpCode('abcdef')).toBe(false);
  });
});

describe('groupSecret', () => {
  it('shows the secret in groups of four', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSWY3DPEH')).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EH');
    expect(groupSecret('')).toBe('');
  });
});

describe('otpauthIssuer', () => {
  it('reads the issuer parameter, else the label prefix', () => {
    expect(otpauthIssuer('otpauth://totp/Roster:ann%40example.com?secret=AB&issuer=Roster%20Test')).toBe('Roster Test');
    expect(otpauthIssuer('otpauth://totp/Acme:ann%40example.com?secret=AB')).toBe('Acme');
    expect(otpauthIssuer('otpauth://totp/ann%40example.com?secret=AB')).toBeNull();
    expect(otpauthIssuer('not a uri')).toBeNull();
  });
});

describe('recovery codes file', () => {
  it('names the account and site, says each code works once, and lists every code on its own line', () => {
    const text = recoveryCodesText({
      codes: ['aaaa-1111', 'bbbb-2222'],
      account: 'ann@example.com',
      site: 'roster.example.com',
      createdAt: new Date('2026-12-01T20:00:00Z'),
    });
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('Recovery codes for ann@example.com at roster.example.com');
    expect(lines[1]).toContain('Created 2026-12-01.');
    expect(lines[1]).toContain('Each code works once.');
    expect(lines.slice(4, 6)).toEqual(['aaaa-1111', 'bbbb-2222']);
    expect(text.endsWith('bbbb-2222\r\n')).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/); // CRLF only
  });

  it('gets a file name safe on every system', () => {
    expect(recoveryCodesFileName('Roster.Example.com')).toBe('recovery-codes-roster.example.com.txt');
    expect(recoveryCodesFileName('localhost:5173')).toBe('recovery-codes-localhost-5173.txt');
    expect(recoveryCodesFileName('::')).toBe('recovery-codes.txt');
  });
});

describe('mfaChallengeFrom', () => {
  it('recognises the second step, with the methods the server names', () => {
    expect(
      mfaChallengeFrom(403, { detail: 'Multi-factor authentication required', mfa_token: 'tok', methods: ['totp'] }),
    ).toEqual({ kind: 'code', mfaToken: 'tok', methods: ['totp'] });
    expect(mfaChallengeFrom(403, { detail: 'Multi-factor authentication required', mfa_token: 'tok' })).toEqual({
      kind: 'code',
      mfaToken: 'tok',
      methods: ['totp', 'recovery_code'],
    });
  });

  it('recognises the setup that MFA_REQUIRED asks for', () => {
    expect(mfaChallengeFrom(403, { detail: MFA_SETUP_REQUIRED, mfa_token: 'tok' })).toEqual({
      kind: 'setup',
      mfaToken: 'tok',
      detail: MFA_SETUP_REQUIRED,
    });
  });

  it('is null for every other answer', () => {
    expect(mfaChallengeFrom(400, { detail: 'Incorrect email or password', mfa_token: 'tok' })).toBeNull();
    expect(mfaChallengeFrom(403, { detail: 'Inactive user' })).toBeNull();
    expect(mfaChallengeFrom(403, { detail: 'x', mfa_token: '' })).toBeNull();
    expect(mfaChallengeFrom(403, null)).toBeNull();
    expect(mfaChallengeFrom(403, 'text')).toBeNull();
  });
});

describe('svgDataUrl', () => {
  it('makes an image source that decodes back to the same markup', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1H0z"/></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(url).not.toContain('<');
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toBe(svg);
  });
});

describe('totpCodeCheck', () => {
  it('asks for six digits', () => {
    expect(totpCodeCheck('')).toBe('Code is required');
    expect(totpCodeCheck('12345')).toBe('Enter the 6-digit code from your app');
    expect(totpCodeCheck('abc-def1')).toBe('Enter the 6-digit code from your app');
    expect(totpCodeCheck('123 456')).toBeUndefined();
  });
});
