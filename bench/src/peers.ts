/**
 * `npm run bench -- --peers`: the same three workloads against Roster and against
 * better-auth (bench/peers/better-auth: pinned, its own package.json and lockfile,
 * installed here on first use and never by the root `npm install`), on the same
 * PostgreSQL server in databases of their own, alternating segments so that a noisy
 * neighbour hits both alike:
 *
 * - sign-up of N new users (each hashes a new password), 16 connections;
 * - login of one user, 16 connections, divided by the side's own password hash's
 *   verifications per second (Argon2id for Roster, scrypt for better-auth), so that a
 *   cheaper or dearer hash does not decide the comparison;
 * - "who am I", 50 connections: Roster's GET /users/me with a bearer token, better-auth's
 *   GET /api/auth/get-session with its session cookie.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { combine, type LoadOptions, type LoadResult, load } from './load.js';
import { benchDir, type Child, runScript, startScript } from './processes.js';

export const peerDir = path.join(benchDir, 'peers/better-auth');

export interface PeerSide {
  signUp: LoadResult;
  login: LoadResult;
  whoAmI: LoadResult;
  /** The side's own password verifications per second on this machine, 16 at a time. */
  verifiesPerSecond: number;
  hash: string;
}

export interface PeerComparison {
  peer: string;
  signUps: number;
  roster: PeerSide;
  betterAuth: PeerSide;
}

/** The peer's pinned version, from its lockfile. */
export function peerVersion(): string {
  const lock = JSON.parse(fs.readFileSync(path.join(peerDir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  return lock.packages['node_modules/better-auth']?.version ?? '?';
}

/** `npm ci` in the peer's folder when its node_modules is missing or older than its lockfile. */
export function installPeer(log: (line: string) => void): void {
  const lock = path.join(peerDir, 'package-lock.json');
  const installed = path.join(peerDir, 'node_modules/.package-lock.json');
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  log(`installing the peer (better-auth ${peerVersion()}, from bench/peers/better-auth/package-lock.json)`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--no-workspaces'], { cwd: peerDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm ci in bench/peers/better-auth failed');
}

export async function startPeer(env: Record<string, string>): Promise<Child> {
  const peer = await startScript(path.join(peerDir, 'server.mjs'), env);
  await peer.ready('/ready', 120_000);
  return peer;
}

/**
 * better-auth refuses a POST that looks like a browser's (Node's fetch sends Sec-Fetch-Mode)
 * without an Origin it trusts; its own base URL is one, as a browser on its app would send.
 */
export const peerHeaders = (baseUrl: string) => ({ 'content-type': 'application/json', origin: baseUrl });

/** Signs a user up and in on better-auth; returns the session cookie. */
export async function peerSession(baseUrl: string, email: string, password: string): Promise<string> {
  const JSON_HEADERS = peerHeaders(baseUrl);
  const signUp = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ email, password, name: 'Bench Me' }),
  });
  if (!signUp.ok) throw new Error(`better-auth sign-up: ${signUp.status} ${await signUp.text()}`);
  const signIn = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify({ email, password }),
  });
  const cookie = signIn.headers.get('set-cookie')?.split(';')[0];
  if (!signIn.ok || !cookie) throw new Error(`better-auth sign-in: ${signIn.status} ${await signIn.text()}`);
  return cookie;
}

export interface Workload {
  roster: LoadOptions;
  betterAuth: LoadOptions;
}

/** Runs both sides of a workload in alternating halves (Roster first, then the peer, twice). */
export async function alternate(workload: Workload): Promise<{ roster: LoadResult; betterAuth: LoadResult }> {
  const half = (options: LoadOptions): LoadOptions => ({
    // Both hash on every request and a busy machine can make a queue of 16 slow: wait, do not fail.
    timeoutSeconds: 60,
    ...options,
    seconds: options.seconds / 2,
    ...(options.amount ? { amount: Math.ceil(options.amount / 2) } : {}),
  });
  const roster: LoadResult[] = [];
  const betterAuth: LoadResult[] = [];
  for (let i = 0; i < 2; i++) {
    roster.push(await load(half(workload.roster)));
    betterAuth.push(await load(half(workload.betterAuth)));
  }
  return { roster: combine(roster), betterAuth: combine(betterAuth) };
}

/** better-auth's own verifications per second (its scrypt), as argon2-baseline.ts measures Roster's. */
export async function peerVerifiesPerSecond(threadPool: string, durationMs: number): Promise<number> {
  const result = await runScript<{ verifiesPerSecond: number }>(path.join(peerDir, 'verify-baseline.mjs'), {
    UV_THREADPOOL_SIZE: threadPool,
    DURATION_MS: String(durationMs),
    CONCURRENCY: '16',
  });
  return result.verifiesPerSecond;
}

const rate = (r: LoadResult) =>
  `${Math.round(r.requestsPerSecond).toLocaleString('en')}/s, p99 ${Number.isFinite(r.p99) ? `${r.p99} ms` : 'no answer'}`;

/** The side-by-side table printed after the main one (and shown in the README's Performance section). */
export function peerTable(c: PeerComparison): string {
  const loginRatio = (side: PeerSide) =>
    `${(side.login.requestsPerSecond / side.verifiesPerSecond).toFixed(2)} (${Math.round(side.verifiesPerSecond)} verifies/s, ${side.hash})`;
  const lines = [
    ['workload', 'Roster', c.peer],
    [`sign-up of ${c.signUps.toLocaleString('en')} users, 16 conns`, rate(c.roster.signUp), rate(c.betterAuth.signUp)],
    ['login of one user, 16 conns', rate(c.roster.login), rate(c.betterAuth.login)],
    ["logins ÷ own hash's verifies/s", loginRatio(c.roster), loginRatio(c.betterAuth)],
    ['who am I, 50 conns', rate(c.roster.whoAmI), rate(c.betterAuth.whoAmI)],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [header, ...body] = lines;
  return [render(header ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(render)].join('\n');
}
