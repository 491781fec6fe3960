import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readSources } from '../../src/config.js';

const production = {
  ENVIRONMENT: 'production',
  PROJECT_NAME: 'Roster',
  SECRET_KEY: 'k'.repeat(40),
  FIRST_SUPERUSER: 'admin@example.com',
  FIRST_SUPERUSER_PASSWORD: 'a-strong-admin-password',
};

function problemsOf(source: Record<string, string>, options = {}): string[] {
  try {
    loadConfig(source, options);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const { config } = loadConfig(production);
    expect(config).toMatchObject({
      environment: 'production',
      accessTokenExpireMinutes: 11520,
      emailResetTokenExpireHours: 48,
      frontendHost: 'http://localhost:5173',
      databaseUrl: null,
      databasePoolSize: 10,
      host: '0.0.0.0',
      port: 8000,
      smtp: null,
      argon2: { memoryKib: 19456, iterations: 2, parallelism: 1 },
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('takes a pool size for PostgreSQL, a whole number from 1', () => {
    expect(loadConfig({ ...production, DATABASE_POOL_SIZE: '3' }).config.databasePoolSize).toBe(3);
    expect(problemsOf({ ...production, DATABASE_POOL_SIZE: '0' })).toEqual([expect.stringContaining('DATABASE_POOL_SIZE')]);
    expect(problemsOf({ ...production, DATABASE_POOL_SIZE: 'lots' })).toEqual([expect.stringContaining('DATABASE_POOL_SIZE')]);
  });

  it('an unset ENVIRONMENT is not local', () => {
    const { ENVIRONMENT: _, ...rest } = production;
    expect(loadConfig(rest).config.environment).toBe('production');
  });

  it('local listens on 127.0.0.1 and only warns about weak secrets', () => {
    const { config, warnings } = loadConfig({
      ...production,
      ENVIRONMENT: 'local',
      SECRET_KEY: 'changethis',
      FIRST_SUPERUSER_PASSWORD: 'changethis',
    });
    expect(config.host).toBe('127.0.0.1');
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('SECRET_KEY');
  });

  it('refuses weak or missing secrets outside local, one line per problem', () => {
    expect(problemsOf({ ...production, SECRET_KEY: 'changethis', FIRST_SUPERUSER_PASSWORD: 'changethis' })).toHaveLength(2);
    expect(problemsOf({ ...production, SECRET_KEY: 'short' })).toEqual([expect.stringContaining('shorter than 32 bytes')]);
    const { SECRET_KEY: _, ...noSecret } = production;
    expect(problemsOf(noSecret)).toEqual(['SECRET_KEY is required but not set.']);
    expect(problemsOf({ ...production, ENVIRONMENT: 'staging', DATABASE_URL: 'postgres://app:changethis@db:5432/app' })).toEqual([
      expect.stringContaining('DATABASE_URL password'),
    ]);
  });

  it('outside local, refuses the built-in development key and a weak first superuser, one line each', () => {
    const local = loadConfig({}, { useLocalDefaults: true }).config;
    expect(problemsOf({ ...production, SECRET_KEY: local.secretKey })).toEqual([
      'SECRET_KEY is the built-in development key: set your own (openssl rand -base64 48) to run with ENVIRONMENT=production.',
    ]);
    expect(problemsOf({ ...production, ENVIRONMENT: 'staging', FIRST_SUPERUSER: 'admin' })).toEqual([
      'FIRST_SUPERUSER must be an email address to run with ENVIRONMENT=staging, got "admin".',
    ]);
    expect(problemsOf({ ...production, FIRST_SUPERUSER_PASSWORD: 'short' })).toEqual([
      'FIRST_SUPERUSER_PASSWORD must be 8 to 128 characters to run with ENVIRONMENT=production.',
    ]);
    expect(problemsOf({ ...production, FIRST_SUPERUSER_PASSWORD: 'x'.repeat(129) })).toHaveLength(1);
    expect(problemsOf({ ...production, FIRST_SUPERUSER_PASSWORD: 'iloveyou' })).toEqual([
      'FIRST_SUPERUSER_PASSWORD is on the common-password list: set a strong one to run with ENVIRONMENT=production.',
    ]);
    // The same values are fine on a developer's machine.
    expect(
      problemsOf({
        ...production,
        ENVIRONMENT: 'local',
        SECRET_KEY: local.secretKey,
        FIRST_SUPERUSER: 'admin',
        FIRST_SUPERUSER_PASSWORD: 'iloveyou',
      }),
    ).toEqual([]);
  });

  it('local mode listens only on loopback unless ALLOW_LOCAL_ON_NETWORK=true', () => {
    const local = { ...production, ENVIRONMENT: 'local' };
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1'])
      expect(problemsOf({ ...local, HOST: host }), host).toEqual([]);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'roster.example.com']) {
      const problems = problemsOf({ ...local, HOST: host });
      expect(problems, host).toHaveLength(1);
      expect(problems[0]).toContain(`HOST=${host} would expose ENVIRONMENT=local`);
      expect(problems[0]).toContain('ALLOW_LOCAL_ON_NETWORK=true');
    }
    expect(problemsOf({ ...local, HOST: '0.0.0.0', ALLOW_LOCAL_ON_NETWORK: 'true' })).toEqual([]);
    expect(problemsOf({ ...production, HOST: '0.0.0.0' })).toEqual([]);
  });

  it('the refresh cookie is Secure by default except in local; COOKIE_SECURE decides; sessions last 90 days at most', () => {
    expect(loadConfig(production).config.cookieSecure).toBe(true);
    expect(loadConfig({ ...production, ENVIRONMENT: 'local' }).config.cookieSecure).toBe(false);
    expect(loadConfig({ ...production, ENVIRONMENT: 'local', COOKIE_SECURE: 'true' }).config.cookieSecure).toBe(true);
    expect(loadConfig({ ...production, COOKIE_SECURE: 'false' }).config.cookieSecure).toBe(false);
    expect(loadConfig(production).config.sessionMaxDays).toBe(90);
    expect(loadConfig({ ...production, SESSION_MAX_DAYS: '7' }).config.sessionMaxDays).toBe(7);
    expect(problemsOf({ ...production, SESSION_MAX_DAYS: '0' })).toEqual([expect.stringContaining('SESSION_MAX_DAYS')]);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be between'],
    [{ ENVIRONMENT: 'dev' }, 'ENVIRONMENT must be one of local, staging, production'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must look like'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL must look like'],
    [{ SMTP_TLS: 'perhaps' }, 'SMTP_TLS must be true or false'],
    [{ EMAIL_VERIFICATION_ON_SIGNUP: 'sometimes' }, 'EMAIL_VERIFICATION_ON_SIGNUP must be true or false'],
    [{ FRONTEND_HOST: 'localhost:5173' }, 'FRONTEND_HOST must be an http(s) URL'],
    [{ ARGON2_MEMORY_KIB: '1024' }, 'ARGON2_MEMORY_KIB must be between 19456'],
    [{ ACCESS_TOKEN_EXPIRE_MINUTES: '0' }, 'ACCESS_TOKEN_EXPIRE_MINUTES must be between'],
  ])('reports %j clearly', (override, message) => {
    const problems = problemsOf({ ...production, ...override });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('never echoes a DATABASE_URL that may hold a password', () => {
    const problems = problemsOf({ ...production, DATABASE_URL: 'mysql://root:s3cret@db/app' });
    expect(problems.join('')).not.toContain('s3cret');
  });

  it('EMAIL_VERIFICATION_ON_SIGNUP is on unless turned off', () => {
    expect(loadConfig(production).config.emailVerificationOnSignup).toBe(true);
    expect(loadConfig({ ...production, EMAIL_VERIFICATION_ON_SIGNUP: 'false' }).config.emailVerificationOnSignup).toBe(false);
  });

  it('enables mail only with SMTP_HOST and EMAILS_FROM_EMAIL', () => {
    expect(loadConfig({ ...production, SMTP_HOST: 'smtp.example.com' }).config.smtp).toBeNull();
    const { config } = loadConfig({ ...production, SMTP_HOST: 'smtp.example.com', EMAILS_FROM_EMAIL: 'no-reply@example.com' });
    expect(config.smtp).toMatchObject({ port: 587, tls: true, ssl: false, fromName: 'Roster' });
  });

  it('the start command fills in development values, only for local', () => {
    const { config, warnings } = loadConfig({}, { useLocalDefaults: true });
    expect(config.environment).toBe('local');
    expect(config.firstSuperuser).toBe('admin@example.com');
    expect(config.frontendHost).toBe('http://localhost:8000');
    expect(warnings.some((w) => w.includes('development defaults'))).toBe(true);
    expect(problemsOf({ ENVIRONMENT: 'production' }, { useLocalDefaults: true }).length).toBeGreaterThanOrEqual(3);
  });
});

describe('readSources', () => {
  it('reads .env and lets the environment win', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-env-'));
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, 'PORT=9000\nPROJECT_NAME="From File"\n# comment\nSECRET_KEY=file-secret\n');
    const merged = readSources({ PORT: '9100', SECRET_KEY: '' }, file);
    expect(merged).toMatchObject({ PORT: '9100', PROJECT_NAME: 'From File', SECRET_KEY: 'file-secret' });
  });

  it('reads the file ROSTER_ENV_FILE names, and none with ROSTER_ENV_FILE=off', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-env-'));
    const file = path.join(dir, 'garbage.env');
    fs.writeFileSync(file, 'PORT=not-a-port\nENVIRONMENT=nonsense\n');
    expect(readSources({ ROSTER_ENV_FILE: file })).toMatchObject({ PORT: 'not-a-port', ENVIRONMENT: 'nonsense' });
    expect(readSources({ ROSTER_ENV_FILE: 'off', PORT: '9100' })).toEqual({ ROSTER_ENV_FILE: 'off', PORT: '9100' });
  });
});

describe('FRONTEND_HOST', () => {
  it('takes a comma-separated list: every origin for CORS, the first for links', () => {
    const { config } = loadConfig({ ...production, FRONTEND_HOST: 'http://localhost:8000/, http://localhost:5173' });
    expect(config.frontendHost).toBe('http://localhost:8000');
    expect(config.corsOrigins).toEqual(['http://localhost:8000', 'http://localhost:5173']);
  });

  it('names each entry that is not an http(s) URL', () => {
    expect(problemsOf({ ...production, FRONTEND_HOST: 'http://ok.example, localhost:5173' })).toEqual([
      'FRONTEND_HOST must be an http(s) URL (or several, comma-separated), got "localhost:5173".',
    ]);
  });
});

describe('WEBAUTHN_* (passkeys)', () => {
  it('defaults to the host of FRONTEND_HOST, PROJECT_NAME, and the FRONTEND_HOST origins under the RP ID', () => {
    const { config } = loadConfig({ ...production, FRONTEND_HOST: 'https://app.example.com,https://other.example.org' });
    expect(config.webauthn).toEqual({ rpId: 'app.example.com', rpName: 'Roster', origins: ['https://app.example.com'] });
  });

  it('takes a parent domain as RP ID, covering every origin under it', () => {
    const { config } = loadConfig({
      ...production,
      WEBAUTHN_RP_ID: 'Example.com',
      WEBAUTHN_RP_NAME: 'Acme accounts',
      WEBAUTHN_ORIGINS: 'https://app.example.com, https://example.com/',
    });
    expect(config.webauthn).toEqual({
      rpId: 'example.com',
      rpName: 'Acme accounts',
      origins: ['https://app.example.com', 'https://example.com'],
    });
  });

  it('refuses an RP ID that is not a suffix of every origin, or not a domain', () => {
    expect(
      problemsOf({
        ...production,
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'https://app.example.com,https://badexample.com',
      }),
    ).toEqual([
      'WEBAUTHN_RP_ID "example.com" must be the host, or a parent domain of the host, of every WEBAUTHN_ORIGINS entry; "https://badexample.com" is not under it.',
    ]);
    expect(problemsOf({ ...production, FRONTEND_HOST: 'https://app.example.com', WEBAUTHN_RP_ID: 'example.org' })).toEqual([
      'WEBAUTHN_RP_ID "example.org" is not the host, or a parent domain, of any FRONTEND_HOST origin: set WEBAUTHN_ORIGINS.',
    ]);
    expect(problemsOf({ ...production, WEBAUTHN_RP_ID: 'https://example.com' })).toEqual([
      'WEBAUTHN_RP_ID must be a domain name such as example.com (no scheme or port), got "https://example.com".',
    ]);
  });

  it('warns that browsers refuse an IP address as RP ID', () => {
    const { warnings } = loadConfig({ ...production, FRONTEND_HOST: 'http://127.0.0.1:8000' });
    expect(warnings).toContain(
      'WEBAUTHN_RP_ID is an IP address (127.0.0.1): browsers offer passkeys only on a domain name (localhost works).',
    );
  });
});

describe('start-up settings', () => {
  it('a bad PORT with the start command is one problem, not also one in FRONTEND_HOST', () => {
    expect(problemsOf({ PORT: 'abc' }, { useLocalDefaults: true })).toEqual(['PORT must be a whole number, got "abc".']);
  });

  it('logs for a person in local and as JSON elsewhere, unless LOG_FORMAT says otherwise', () => {
    expect(loadConfig({}, { useLocalDefaults: true }).config.logFormat).toBe('text');
    expect(loadConfig({ LOG_FORMAT: 'json' }, { useLocalDefaults: true }).config.logFormat).toBe('json');
    expect(loadConfig(production).config.logFormat).toBe('json');
    expect(problemsOf({ ...production, LOG_FORMAT: 'pretty' })).toEqual(['LOG_FORMAT must be one of text, json, got "pretty".']);
  });
});
