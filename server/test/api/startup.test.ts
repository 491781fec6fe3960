import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createPostgresDatabase, onPostgres } from '../helpers/database.js';
import { runRosterToExit, startRoster } from '../helpers/process.js';

// Child processes start slowly while the rest of the suite loads both cores.
vi.setConfig({ testTimeout: 120_000 });

const strong = {
  PROJECT_NAME: 'Roster',
  SECRET_KEY: 'a-production-secret-key-of-enough-length-123',
  FIRST_SUPERUSER: 'root@example.com',
  FIRST_SUPERUSER_PASSWORD: 'a-strong-admin-password',
};

async function login(baseUrl: string, username: string, password: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/login/access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
  return response.status;
}

describe.skipIf(onPostgres)('start-up on PGlite', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-data-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('the start command runs with no settings at all, as local', async () => {
    const roster = await startRoster({ DATA_DIR: dataDir, LOG_LEVEL: 'info' }, ['--local-defaults']);
    try {
      await roster.ready();
      expect(await login(roster.baseUrl, 'admin@example.com', 'changethis')).toBe(200);
      expect(roster.output()).toContain('development defaults');
      expect(roster.output()).toContain('private routes');
      expect(roster.output()).toContain('rate limits are off (RATE_LIMIT_ENABLED=true turns them on)');
    } finally {
      await roster.stop();
    }
  });

  it('keeps its data across restarts and bootstraps the superuser once', async () => {
    const roster = await startRoster({ DATA_DIR: dataDir, ENVIRONMENT: 'staging', ...strong });
    try {
      await roster.ready();
      const signup = await fetch(`${roster.baseUrl}/api/v1/users/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'kept@example.com', password: 'kept-password' }),
      });
      expect(signup.status).toBe(200);
    } finally {
      await roster.stop();
    }
    const again = await startRoster({
      DATA_DIR: dataDir,
      ENVIRONMENT: 'staging',
      ...strong,
      FIRST_SUPERUSER_PASSWORD: 'a-different-password',
    });
    try {
      await again.ready();
      expect(await login(again.baseUrl, 'kept@example.com', 'kept-password')).toBe(200);
      // The existing superuser is left untouched: the old password still works.
      expect(await login(again.baseUrl, 'root@example.com', 'a-strong-admin-password')).toBe(200);
      const privateRoute = await fetch(`${again.baseUrl}/api/v1/private/users/`, { method: 'POST' });
      expect(privateRoute.status).toBe(404);
    } finally {
      await again.stop();
    }
  });
});

describe.skipIf(onPostgres)('refusing to start', () => {
  it('names every weak secret outside local, one line each, and exits non-zero', async () => {
    const { code, output } = await runRosterToExit({
      ENVIRONMENT: 'production',
      PROJECT_NAME: 'R',
      SECRET_KEY: 'changethis',
      FIRST_SUPERUSER: 'a@example.com',
      FIRST_SUPERUSER_PASSWORD: 'changethis',
    });
    expect(code).not.toBe(0);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('SECRET_KEY');
    expect(lines[1]).toContain('FIRST_SUPERUSER_PASSWORD');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('refuses the development key and a weak first superuser outside local, one line each, exit 1', async () => {
    const { code, output } = await runRosterToExit({
      ENVIRONMENT: 'production',
      PROJECT_NAME: 'R',
      SECRET_KEY: 'local-development-secret-key-not-for-production-use',
      FIRST_SUPERUSER: 'admin',
      FIRST_SUPERUSER_PASSWORD: 'iloveyou',
    });
    expect(code).toBe(1);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^roster: SECRET_KEY is the built-in development key/);
    expect(lines[1]).toMatch(/^roster: FIRST_SUPERUSER must be an email address/);
    expect(lines[2]).toMatch(/^roster: FIRST_SUPERUSER_PASSWORD is on the common-password list/);
  });

  it('refuses to run local mode on a network address unless told to, in one line', async () => {
    const { code, output } = await runRosterToExit({ ENVIRONMENT: 'local', ...strong, HOST: '0.0.0.0' });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toContain('roster: HOST=0.0.0.0 would expose ENVIRONMENT=local');
  });

  it('reports an invalid PORT in one line without a stack trace', async () => {
    const { code, output } = await runRosterToExit({ ENVIRONMENT: 'production', ...strong, PORT: 'abc' });
    expect(code).toBe(1);
    expect(output.trim()).toBe('roster: PORT must be a whole number, got "abc".');
  });

  it('reports an unreachable database in one line', async () => {
    const { code, output } = await runRosterToExit({
      ENVIRONMENT: 'production',
      ...strong,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toContain('cannot open the database');
  });
});

describe.skipIf(!onPostgres)('start-up on PostgreSQL', () => {
  it('two processes starting at once on an empty database migrate once and make one superuser', async () => {
    const database = await createPostgresDatabase('roster_startup');
    const env = { DATABASE_URL: database.url, ENVIRONMENT: 'production', ...strong };
    const [a, b] = await Promise.all([startRoster(env), startRoster(env)]);
    try {
      await Promise.all([a?.ready(), b?.ready()]);
      expect(await login(a?.baseUrl as string, strong.FIRST_SUPERUSER, strong.FIRST_SUPERUSER_PASSWORD)).toBe(200);
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: database.url });
      await client.connect();
      const supers = await client.query('SELECT count(*)::int AS n FROM "user" WHERE lower(email) = \'root@example.com\'');
      const migrations = await client.query('SELECT count(*)::int AS n FROM schema_migrations');
      await client.end();
      expect(supers.rows[0].n).toBe(1);
      expect(migrations.rows[0].n).toBe(
        fs.readdirSync(path.resolve(__dirname, '../../migrations')).filter((f) => f.endsWith('.sql')).length,
      );
    } finally {
      await Promise.all([a?.stop(), b?.stop()]);
      await database.drop();
    }
  });
});
