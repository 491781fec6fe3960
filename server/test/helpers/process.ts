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
