/**
 * Runs the real entry point, built (`dist/main.js`, brought up to date by the suite's global
 * setup: tsx would compile the source again in every process), as a child process on a free
 * port, for tests of start-up, configuration and multi-process behaviour.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const builtMain = path.join(serverDir, 'dist/main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RosterProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  output(): string;
  /** Resolves once the health check answers (or rejects on exit / timeout). */
  ready(timeoutMs?: number): Promise<number>;
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

export function baseEnv(): Record<string, string> {
  // Only what a process needs; never the developer's own Roster settings, from the
  // environment or from the repository's .env (ROSTER_ENV_FILE=off: read no file).
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NODE_OPTIONS'];
  return {
    ...Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k] as string])),
    ROSTER_ENV_FILE: 'off',
  };
}

export async function startRoster(env: Record<string, string>, args: string[] = []): Promise<RosterProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [builtMain, ...args], {
    env: { ...baseEnv(), LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    baseUrl,
    output: () => output,
    exited: () => exit,
    async ready(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exit.then(() => (done = true));
      while (Date.now() < deadline) {
        if (done) throw new Error(`roster exited before it was ready:\n${output}`);
        try {
          const response = await fetch(`${baseUrl}/api/v1/utils/health-check/`);
          if (response.ok) return performance.now() - started;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`roster not ready after ${timeoutMs} ms:\n${output}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** Runs the entry point to completion (for configurations that must refuse to start). */
export async function runRosterToExit(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; output: string }> {
  const proc = await startRoster(env, args);
  const code = await proc.exited();
  return { code, output: proc.output() };
}

/** Settings for Roster on a production footing (ENVIRONMENT=staging) over a test database. */
export function stagingEnv(databaseUrl: string) {
  return {
    DATABASE_URL: databaseUrl,
    ENVIRONMENT: 'staging',
    PROJECT_NAME: 'Roster',
    SECRET_KEY: 'a-production-secret-key-of-enough-length-123',
    FIRST_SUPERUSER: 'root@example.com',
    FIRST_SUPERUSER_PASSWORD: 'a-strong-admin-password',
  };
}

/** Two Roster processes on one database, both ready (the first migrates alone); `stop` ends both. */
export async function startTwoRosters(
  env: Record<string, string>,
): Promise<{ a: RosterProcess; b: RosterProcess; stop(): Promise<void> }> {
  const a = await startRoster(env);
  await a.ready();
  const b = await startRoster(env);
  const stop = async () => {
    await Promise.all([a.stop(), b.stop()]);
  };
  await b.ready().catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { a, b, stop };
}

/**
 * Asks `probe` again and again (for up to 2 s) until it answers something other than `200`: how
 * a change made in one process is seen by another. Returns that answer and how long it took.
 */
export async function untilRefused(probe: () => Promise<number>): Promise<{ status: number; latencyMs: number }> {
  const started = performance.now();
  let status = await probe();
  while (status === 200 && performance.now() - started < 2000) status = await probe();
  return { status, latencyMs: performance.now() - started };
}
