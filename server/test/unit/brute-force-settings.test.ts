import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { commonPasswordCount, isCommonPassword } from '../../src/security/common-passwords.js';
import { accountKey, clientKey } from '../../src/security/keys.js';
import { parseLimit } from '../../src/security/settings.js';

const base = {
  ENVIRONMENT: 'production',
  PROJECT_NAME: 'Roster',
  SECRET_KEY: 'k'.repeat(40),
  FIRST_SUPERUSER: 'admin@example.com',
  FIRST_SUPERUSER_PASSWORD: 'a-strong-admin-password',
};

function problemsOf(source: Record<string, string>): string[] {
  try {
    loadConfig(source);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('brute-force settings', () => {
  it('rate limits are off by default with ENVIRONMENT=local, on elsewhere; RATE_LIMIT_ENABLED decides; the lockout stays', () => {
    const local = { ...base, ENVIRONMENT: 'local' };
    expect(loadConfig(local).config.bruteForce.rateLimitEnabled).toBe(false);
    expect(loadConfig({ ...local, RATE_LIMIT_ENABLED: 'true' }).config.bruteForce.rateLimitEnabled).toBe(true);
    expect(loadConfig({ ...base, ENVIRONMENT: 'staging' }).config.bruteForce.rateLimitEnabled).toBe(true);
    expect(loadConfig(base).config.bruteForce.rateLimitEnabled).toBe(true);
    expect(loadConfig(local).config.bruteForce.lockout).toEqual(loadConfig(base).config.bruteForce.lockout);
  });

  it('default to the documented limits, lockout and common-password refusal', () => {
    const { config } = loadConfig(base);
    expect(config.trustProxy).toBe(false);
    expect(config.redisUrl).toBeNull();
    expect(config.redisKeyPrefix).toBe('roster:');
    expect(config.bruteForce).toEqual({
      rateLimitEnabled: true,
      rejectCommonPasswords: true,
      limits: {
        loginPerIp: { max: 30, windowSeconds: 60 },
        loginPerAccount: { max: 10, windowSeconds: 60 },
        signupPerIp: { max: 10, windowSeconds: 3600 },
        signupPerEmail: { max: 5, windowSeconds: 3600 },
        recoveryPerIp: { max: 20, windowSeconds: 3600 },
        recoveryPerEmail: { max: 5, windowSeconds: 3600 },
        resetPerIp: { max: 20, windowSeconds: 3600 },
        verificationPerIp: { max: 30, windowSeconds: 3600 },
        verificationPerUser: { max: 10, windowSeconds: 3600 },
        privatePerIp: { max: 600, windowSeconds: 60 },
      },
      lockout: {
        pairFailures: 5,
        pairLockSeconds: 60,
        pairMaxLockSeconds: 3600,
        accountFailures: 50,
        accountLockSeconds: 60,
        accountMaxLockSeconds: 300,
        windowSeconds: 900,
        knownAddressDays: 30,
      },
    });
  });

  it('parse limits as count per window, and off', () => {
    expect(parseLimit('30/1m')).toEqual({ max: 30, windowSeconds: 60 });
    expect(parseLimit('5/h')).toEqual({ max: 5, windowSeconds: 3600 });
    expect(parseLimit(' 7 / 90s ')).toEqual({ max: 7, windowSeconds: 90 });
    expect(parseLimit('2/1d')).toEqual({ max: 2, windowSeconds: 86400 });
    expect(parseLimit('off')).toBeNull();
    expect(parseLimit('0')).toBeNull();
    for (const bad of ['30', '30/', '/1m', '0/1m', '30/0s', '30/1w', 'many/1m', '30/8d']) expect(parseLimit(bad)).toBe('invalid');
  });

  it('read every setting, and name each bad one in one line', () => {
    const { config } = loadConfig({
      ...base,
      RATE_LIMIT_LOGIN_PER_IP: '3/10s',
      RATE_LIMIT_PRIVATE_PER_IP: 'off',
      RATE_LIMIT_ENABLED: 'false',
      REJECT_COMMON_PASSWORDS: 'false',
      LOGIN_LOCK_AFTER_FAILURES: '3',
      TRUST_PROXY: '2',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      REDIS_KEY_PREFIX: 'app1:',
    });
    expect(config.bruteForce.limits.loginPerIp).toEqual({ max: 3, windowSeconds: 10 });
    expect(config.bruteForce.limits.privatePerIp).toBeNull();
    expect(config.bruteForce.rateLimitEnabled).toBe(false);
    expect(config.bruteForce.rejectCommonPasswords).toBe(false);
    expect(config.bruteForce.lockout.pairFailures).toBe(3);
    expect(config.trustProxy).toBe(2);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379/0');
    expect(config.redisKeyPrefix).toBe('app1:');

    const problems = problemsOf({
      ...base,
      RATE_LIMIT_SIGNUP_PER_IP: 'lots',
      LOGIN_LOCK_SECONDS: '600',
      LOGIN_LOCK_MAX_SECONDS: '60',
      TRUST_PROXY: 'the load balancer',
      REDIS_URL: 'http://cache:6379',
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/RATE_LIMIT_SIGNUP_PER_IP must look like 30\/1m/);
    expect(problems.join('\n')).toMatch(/LOGIN_LOCK_MAX_SECONDS must be at least LOGIN_LOCK_SECONDS/);
    expect(problems.join('\n')).toMatch(/TRUST_PROXY must be/);
    expect(problems.join('\n')).toMatch(/REDIS_URL must look like/);
  });

  it('TRUST_PROXY takes true, false and lists of proxies', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).config.trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).config.trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).config.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });
});

describe('counter keys', () => {
  it('group IPv6 clients by /64 and unwrap IPv4-mapped addresses', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:1:2::1')).toBe(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
  });

  it('name an account by a hash of its trimmed, lower-cased address', () => {
    expect(accountKey(' Ann@Example.com ')).toBe(accountKey('ann@example.com'));
    expect(accountKey('ann@example.com')).not.toContain('ann');
    expect(accountKey('x'.repeat(100_000))).toHaveLength(43);
  });
});

describe('common passwords', () => {
  it('hold at least 10,000 distinct passwords', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it('match in any letter case, and only whole passwords', () => {
    for (const password of ['password', 'PASSWORD', 'Password1', 'qwertyuiop', 'iloveyou', 'Sunshine']) {
      expect(isCommonPassword(password)).toBe(true);
    }
    for (const password of ['correct-horse-battery', 'a-good-password', 'password with more words']) {
      expect(isCommonPassword(password)).toBe(false);
    }
  });
});
