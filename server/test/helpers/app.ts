/**
 * Starts a Roster app on a fresh database for one test file, with helpers to
 * sign in and to create users. Requests go through Fastify's full pipeline
 * (`inject`): parsing, validation, hooks, serialization.
 */

import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { type AppDependencies, buildApp, type RosterApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { insertTogether } from '../../src/db/insert-together.js';
import type { Mailer } from '../../src/email/mailer.js';
import type { Clock } from '../../src/utils/clock.js';
import { freshDatabase, type TestDatabase } from './database.js';

export const SUPERUSER = { email: 'admin@example.com', password: 'super-secret-password' };

/**
 * The suites create many users and log in many times from one address (inject's
 * 127.0.0.1): limits and lockout far above what they do, unless a test sets its own.
 * The real limits are tested in test/api/brute-force*.test.ts.
 */
export const GENEROUS_LIMITS: Record<string, string> = {
  RATE_LIMIT_LOGIN_PER_IP: '100000/1m',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000/1m',
  RATE_LIMIT_SIGNUP_PER_IP: '100000/1m',
  RATE_LIMIT_SIGNUP_PER_EMAIL: '100000/1m',
  RATE_LIMIT_RECOVERY_PER_IP: '100000/1m',
  RATE_LIMIT_RECOVERY_PER_EMAIL: '100000/1m',
  RATE_LIMIT_RESET_PER_IP: '100000/1m',
  RATE_LIMIT_VERIFICATION_PER_IP: '100000/1m',
  RATE_LIMIT_VERIFICATION_PER_USER: '100000/1m',
  RATE_LIMIT_PRIVATE_PER_IP: '100000/1m',
  LOGIN_LOCK_AFTER_FAILURES: '100000',
  LOGIN_ACCOUNT_LOCK_AFTER_FAILURES: '100000',
};

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...GENEROUS_LIMITS,
    ENVIRONMENT: 'local',
    PROJECT_NAME: 'Roster Test',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-for-hs256',
    FIRST_SUPERUSER: SUPERUSER.email,
    FIRST_SUPERUSER_PASSWORD: SUPERUSER.password,
    FRONTEND_HOST: 'http://localhost:5173',
    ...overrides,
  }).config;
}

export interface TestApp extends RosterApp {
  database: TestDatabase;
  /** Sends a request; JSON bodies are serialized for you. */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** A bearer header for the first superuser. */
  superuserAuth(): Promise<Record<string, string>>;
  login(email: string, password: string): Promise<LightMyRequestResponse>;
  /** Logs in and returns the Authorization header. */
  authFor(email: string, password: string): Promise<Record<string, string>>;
  /** Creates a user directly (no HTTP) and returns it with an auth header. */
  createUser(
    options?: Partial<{ email: string; password: string; fullName: string; isSuperuser: boolean; isActive: boolean }>,
  ): Promise<{
    id: string;
    email: string;
    password: string;
    auth: { authorization: string };
  }>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  mailer?: Mailer;
  clock?: Clock;
  emailWorker?: AppDependencies['emailWorker'];
  onSignInStatement?: AppDependencies['onSignInStatement'];
  onRefreshStatement?: AppDependencies['onRefreshStatement'];
  webhookWorker?: AppDependencies['webhookWorker'];
}

let counter = 0;
export const uniqueEmail = (tag = 'user') => `${tag}-${process.pid}-${Date.now()}-${++counter}@example.com`;

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const config = testConfig(options.env);
  const built = await buildApp({
    config,
    database: database.handle,
    mailer: options.mailer,
    clock: options.clock,
    emailWorker: options.emailWorker ?? { pollMs: 100, retryBaseMs: 100 },
    onSignInStatement: options.onSignInStatement,
    onRefreshStatement: options.onRefreshStatement,
    webhookWorker: options.webhookWorker,
  });
  await built.ctx.users.createIfAbsent({ email: SUPERUSER.email, password: SUPERUSER.password, isSuperuser: true });
  const app: FastifyInstance = built.app;
  await app.ready();

  const request = (opts: InjectOptions) => app.inject(opts);
  const login = (email: string, password: string) =>
    request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: email, password }).toString(),
    });
  const authFor = async (email: string, password: string) => {
    const response = await login(email, password);
    if (response.statusCode !== 200) throw new Error(`login failed for ${email}: ${response.body}`);
    return { authorization: `Bearer ${response.json().access_token}` };
  };
  let superuserHeader: Record<string, string> | null = null;

  return {
    ...built,
    database,
    request,
    login,
    authFor,
    superuserAuth: async () => {
      superuserHeader ??= await authFor(SUPERUSER.email, SUPERUSER.password);
      return superuserHeader;
    },
    async createUser(opts = {}) {
      const email = opts.email ?? uniqueEmail();
      const password = opts.password ?? 'correct-horse-battery';
      const user = await built.ctx.users.create({
        email,
        password,
        fullName: opts.fullName ?? 'Test User',
        isSuperuser: opts.isSuperuser ?? false,
        isActive: opts.isActive ?? true,
      });
      const { session, inserts } = built.ctx.sessions.open(user.id, { ip: '127.0.0.1', userAgent: 'test' });
      await insertTogether(built.ctx.db, inserts);
      const auth = { authorization: `Bearer ${await built.ctx.tokens.createAccessToken(user.id, session.id)}` };
      return { id: user.id, email, password, auth };
    },
  };
}

/** Registers beforeAll/afterAll for a file-wide app; use `get()` inside tests. */
export function useTestApp(options: TestAppOptions = {}): { get(): TestApp } {
  let testApp: TestApp | null = null;
  beforeAll(async () => {
    testApp = await startTestApp(options);
  });
  afterAll(async () => {
    await testApp?.app.close();
    await testApp?.database.drop();
  });
  return {
    get() {
      if (!testApp) throw new Error('test app not started');
      return testApp;
    },
  };
}
