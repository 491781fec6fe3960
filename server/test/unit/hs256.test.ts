import { createSecretKey } from 'node:crypto';
import { jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signHs256, verifyHs256 } from '../../src/auth/hs256.js';

const secret = 'a-test-secret-key-that-is-long-enough-for-hs256';
const key = createSecretKey(Buffer.from(secret));
const bytes = new TextEncoder().encode(secret);
const NOW = 1_800_000_000;

function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}, with_ = bytes) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(with_);
}

describe('verifyHs256', () => {
  it('accepts what jose signs, with its claims', async () => {
    const token = await sign({ sub: 'someone', exp: NOW + 60, iat: NOW, nbf: NOW });
    expect(verifyHs256(token, key, NOW)).toMatchObject({ sub: 'someone', exp: NOW + 60 });
  });

  it('refuses an expired token, one not yet valid, and one without exp', async () => {
    expect(verifyHs256(await sign({ exp: NOW }), key, NOW)).toBeNull();
    expect(verifyHs256(await sign({ exp: NOW + 60, nbf: NOW + 1 }), key, NOW)).toBeNull();
    expect(verifyHs256(await sign({ sub: 'x' }), key, NOW)).toBeNull();
    expect(verifyHs256(await sign({ exp: String(NOW + 60) }), key, NOW)).toBeNull();
    expect(verifyHs256(await sign({ exp: NOW + 60, iat: 'yesterday' }), key, NOW)).toBeNull();
  });

  it('refuses another key, another algorithm, alg none, crit and unencoded payloads', async () => {
    expect(verifyHs256(await sign({ exp: NOW + 60 }, {}, new TextEncoder().encode(`${secret}!`)), key, NOW)).toBeNull();
    const hs512 = await new SignJWT({ exp: NOW + 60 }).setProtectedHeader({ alg: 'HS512' }).sign(bytes);
    expect(verifyHs256(hs512, key, NOW)).toBeNull();
    expect(verifyHs256(new UnsecuredJWT({ exp: NOW + 60 }).encode(), key, NOW)).toBeNull();
    const crit = await new SignJWT({ exp: NOW + 60 })
      .setProtectedHeader({ alg: 'HS256', crit: ['x'], x: 1 } as never)
      .sign(bytes)
      .catch(() => null);
    if (crit) expect(verifyHs256(crit, key, NOW)).toBeNull();
  });

  it('refuses tampering and malformed tokens', async () => {
    const token = await sign({ sub: 'a', exp: NOW + 60 });
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ sub: 'b', exp: NOW + 60 })).toString('base64url');
    expect(verifyHs256(`${h}.${forged}.${s}`, key, NOW)).toBeNull();
    const flipped = `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
    expect(verifyHs256(`${h}.${p}.${flipped}`, key, NOW)).toBeNull();
    // The last of 43 characters carries 2 spare bits: its other spellings decode to the same bytes.
    const base = 'AEIMQUYcgkosw048'.indexOf(s.at(-1) as string);
    for (let spare = 1; spare < 4; spare++) {
      const alias = `${s.slice(0, -1)}${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[base * 4 + spare]}`;
      expect(Buffer.from(alias, 'base64url').equals(Buffer.from(s, 'base64url'))).toBe(true);
      expect(verifyHs256(`${h}.${p}.${alias}`, key, NOW)).toBeNull();
    }
    expect(verifyHs256(`${h}.${p}`, key, NOW)).toBeNull();
    expect(verifyHs256(`${h}.${p}.${s}.`, key, NOW)).toBeNull();
    expect(verifyHs256(`${h}.${p}.${s}=`, key, NOW)).toBeNull();
    expect(verifyHs256(`${h}.${p}!.${s}`, key, NOW)).toBeNull();
    expect(verifyHs256('', key, NOW)).toBeNull();
    expect(verifyHs256('not.a.token', key, NOW)).toBeNull();
    const arrayPayload = Buffer.from('[1]').toString('base64url');
    expect(verifyHs256(`${h}.${arrayPayload}.${s}`, key, NOW)).toBeNull();
  });
});

describe('signHs256', () => {
  it('makes tokens jose verifies, with the HS256/JWT header and the given claims', async () => {
    const token = signHs256({ sub: 'someone', sid: 'a-session', exp: NOW + 60 }, key);
    const { payload, protectedHeader } = await jwtVerify(token, bytes, {
      algorithms: ['HS256'],
      currentDate: new Date(NOW * 1000),
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: 'someone', sid: 'a-session', exp: NOW + 60 });
    expect(verifyHs256(token, key, NOW)).toEqual(payload);
  });

  it('signs with the key it is given', async () => {
    const token = signHs256({ exp: NOW + 60 }, createSecretKey(Buffer.from(`${secret}!`)));
    await expect(jwtVerify(token, bytes, { currentDate: new Date(NOW * 1000) })).rejects.toThrow(/signature/);
    expect(verifyHs256(token, key, NOW)).toBeNull();
  });
});
