import { createSecretKey, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHs256 } from '../../src/auth/hs256.js';
import { TokenService } from '../../src/auth/tokens.js';
import { ManualClock } from '../../src/utils/clock.js';

const SECRET = 'a-test-secret-key-that-is-long-enough-for-hs256';

describe('TokenService', () => {
  it('verifies its own tokens, again from memory, until they expire', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    const tokens = new TokenService(SECRET, 10, clock);
    const [userId, sessionId] = [randomUUID(), randomUUID()];
    const token = await tokens.createAccessToken(userId, sessionId);
    expect(await tokens.verifyAccessToken(token)).toEqual({ userId, sessionId });
    clock.advance(9 * 60 + 59);
    expect(await tokens.verifyAccessToken(token)).toEqual({ userId, sessionId });
    clock.advance(1);
    expect(await tokens.verifyAccessToken(token)).toBeNull();
  });

  it('refuses a token changed in any part, whether or not the original was verified before', async () => {
    const tokens = new TokenService(SECRET, 10);
    const token = await tokens.createAccessToken(randomUUID(), randomUUID());
    expect(await tokens.verifyAccessToken(token)).not.toBeNull();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url');
    for (const changed of [
      `${header}.${forged}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -2)}AA`,
      `${token} `,
      token.slice(0, -1),
    ]) {
      expect(await tokens.verifyAccessToken(changed), changed).toBeNull();
    }
    expect(await new TokenService(`${SECRET}!`, 10).verifyAccessToken(token)).toBeNull();
  });

  it('carries iss, aud and typ, and refuses a token signed with the key that lacks or changes any of them', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    const tokens = new TokenService(SECRET, 10, clock);
    const [userId, sessionId] = [randomUUID(), randomUUID()];
    const claims = JSON.parse(
      Buffer.from((await tokens.createAccessToken(userId, sessionId)).split('.')[1] as string, 'base64url').toString(),
    );
    expect(claims).toMatchObject({ iss: 'roster', aud: 'roster-api', typ: 'access', sub: userId, sid: sessionId });
    const key = createSecretKey(Buffer.from(SECRET));
    const good = { iss: 'roster', aud: 'roster-api', typ: 'access', sub: userId, sid: sessionId, exp: clock.nowSeconds() + 60 };
    expect(await tokens.verifyAccessToken(signHs256(good, key))).toEqual({ userId, sessionId });
    const { iss: _iss, aud: _aud, typ: _typ, ...bare } = good;
    for (const claimsOf of [bare, { ...good, iss: 'other' }, { ...good, aud: 'other-api' }, { ...good, typ: 'refresh' }]) {
      expect(await tokens.verifyAccessToken(signHs256(claimsOf, key)), JSON.stringify(claimsOf)).toBeNull();
    }
  });

  it('keeps verifying after more distinct tokens than it remembers', async () => {
    const tokens = new TokenService(SECRET, 10);
    const issued = await Promise.all(Array.from({ length: 10_050 }, () => tokens.createAccessToken(randomUUID(), randomUUID())));
    for (const token of issued) expect(await tokens.verifyAccessToken(token)).not.toBeNull();
    // The first ones were forgotten and are checked again from scratch.
    expect(await tokens.verifyAccessToken(issued[0] as string)).not.toBeNull();
  });
});
