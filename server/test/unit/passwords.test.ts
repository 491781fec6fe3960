import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { PasswordHasher } from '../../src/auth/passwords.js';

const fixtures: { note: string; hashes: { library: string; password: string; hash: string }[] } = JSON.parse(
  readFileSync(new URL('../fixtures/foreign-hashes.json', import.meta.url), 'utf8'),
);
const hasher = new PasswordHasher({ memoryKib: 19456, iterations: 2, parallelism: 1 });

describe('PasswordHasher', () => {
  it('hashes with Argon2id at the configured parameters and verifies without a re-hash', async () => {
    const hash = await hasher.hash('a-password-to-hash');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hash, 'a-password-to-hash')).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify(hash, 'another-password')).toEqual({ ok: false, needsRehash: false });
  });

  it('salts every hash', async () => {
    expect(await hasher.hash('same-password')).not.toBe(await hasher.hash('same-password'));
  });

  it('asks for a re-hash when the parameters change', async () => {
    const stronger = new PasswordHasher({ memoryKib: 19456, iterations: 3, parallelism: 1 });
    const hash = await hasher.hash('a-password-to-hash');
    expect(await stronger.verify(hash, 'a-password-to-hash')).toEqual({ ok: true, needsRehash: true });
  });

  describe.each(fixtures.hashes)('a hash made by $library', ({ password, hash }) => {
    it('verifies with the right password and asks for a re-hash', async () => {
      expect(await hasher.verify(hash, password)).toEqual({ ok: true, needsRehash: true });
    });
    it('fails with a wrong password', async () => {
      expect(await hasher.verify(hash, `${password}x`)).toEqual({ ok: false, needsRehash: false });
    });
  });

  it.each([
    '',
    '!', // what `roster users import` stores for an account imported without a password
    'plaintext-password',
    '$argon2id$garbage',
    '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$',
    '$argon2id$v=19$m=0,t=0,p=0$c2FsdHlzYWx0c2FsdDEyMw$dJ8YTVvGettkgOBzoHV9ZZsjUz7sRcOfJHEhHGIHkR4',
    '$2b$10$short',
    '$2b$99$abcdefghijklmnopqrstuuF7MUkcjS24d/VX9C0l6bK3aQagge3vC',
    '$pbkdf2-sha256$29000$abc$def',
    '$1$saltsalt$hash',
  ])('treats the malformed stored hash %j as a failed verification that still costs one dummy verification', async (stored) => {
    const dummy = vi.spyOn(hasher, 'verifyDummy');
    try {
      expect(await hasher.verify(stored, 'template-user-password')).toEqual({ ok: false, needsRehash: false });
      expect(dummy).toHaveBeenCalledTimes(1);
    } finally {
      dummy.mockRestore();
    }
  });

  it('spends a verification on a dummy hash for unknown users', async () => {
    await expect(hasher.verifyDummy('anything')).resolves.toBeUndefined();
  });
});
