/**
 * Child processes of the bench: Roster itself (the built `server/dist/start.cjs`,
 * as it is deployed), and the helpers that measure the machine's limits. Each
 * runs in its own process so that the load generator never shares an event loop
 * with what it measures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// The tests start Roster processes too: one way to pick a port and a clean environment.
import { baseEnv, freePort } from '../../server/test/helpers/process.js';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(benchDir, '..');
const tsxBin = path.join(repoRoot, 'node_modules/.bin/tsx');

export interface Child {
  child: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  /** The last lines of its output, for error messages. */
  tail(): string;
  /** ms from spawn until `path` first answered 200. */
  ready(readyPath: string, timeoutMs?: number): Promise<number>;
  rssMiB(): number;
  stop(): Promise<void>;
}

function startChild(command: string, args: string[], env: Record<string, string>, port: number): Child {
  const started = performance.now();
  const child = spawn(command, args, { env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: repoRoot });
  // Output is drained (a blocked pipe would stall the child) and only the tail is kept.
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let exited = false;
  void exit.then(() => (exited = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    pid: child.pid ?? -1,
    port,
    baseUrl,
    tail: () => tail,
    async ready(readyPath, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exited) throw new Error(`${args.join(' ')} exited before it was ready:\n${tail}`);
        try {
          const response = await fetch(baseUrl + readyPath);
          if (response.ok) return performance.now() - started;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error(`${args.join(' ')} not ready after ${timeoutMs} ms:\n${tail}`);
    },
    rssMiB: () => rssMiB(child.pid ?? -1),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** Resident set size from /proc (Linux), in MiB. */
export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

export async function startRoster(env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const main = path.join(repoRoot, 'server/dist/start.cjs');
  return startChild(process.execPath, [main], { HOST: '127.0.0.1', PORT: String(port), ...env }, port);
}

/** A TypeScript helper of this folder in its own process (through tsx; its start-up is not measured). */
export async function startHelper(script: string, env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  return startChild(tsxBin, [path.join(benchDir, 'src', script)], { PORT: String(port), ...env }, port);
}

/** Runs a helper to completion and parses the JSON it prints last. */
export async function runHelper<T>(script: string, env: Record<string, string>): Promise<T> {
  const helper = await startHelper(script, env);
  await new Promise<void>((resolve) => helper.child.on('exit', () => resolve()));
  return lastJsonLine<T>(script, helper);
}

/** A plain Node script in its own process (the peers' servers and helpers, outside this workspace). */
export async function startScript(script: string, env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  return startChild(process.execPath, [script], { PORT: String(port), ...env }, port);
}

/** Runs a plain Node script to completion and parses the JSON it prints last. */
export async function runScript<T>(script: string, env: Record<string, string>): Promise<T> {
  const child = await startScript(script, env);
  await new Promise<void>((resolve) => child.child.on('exit', () => resolve()));
  return lastJsonLine<T>(script, child);
}

function lastJsonLine<T>(script: string, child: Child): T {
  const lines = child.tail().trim().split('\n');
  try {
    return JSON.parse(lines[lines.length - 1] ?? '') as T;
  } catch {
    throw new Error(`${script} failed:\n${child.tail()}`);
  }
}
