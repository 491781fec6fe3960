/**
 * `npm run bench [-- --quick]`: starts Roster on a throwaway PostgreSQL database
 * (and then on PGlite) in its own process, drives it with autocannon from this
 * process, measures each row's limit in the same run, prints one table and
 * writes results/latest.json and results/latest.svg. Cleans up after itself,
 * also on failure or Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type BatchSizes, describeBatchSizes, refreshBatchSizes, signInBatchSizes } from './batch-sizes.js';
import { combine, type LoadOptions, type LoadResult, load } from './load.js';
import {
  alternate,
  installPeer,
  type PeerComparison,
  peerHeaders,
  peerSession,
  peerTable,
  peerVerifiesPerSecond,
  peerVersion,
  startPeer,
} from './peers.js';
import { benchDir, type Child, repoRoot, runHelper, startHelper, startRoster } from './processes.js';
import { atLeast, atMost, type Report, type Row, table, writeReport } from './report.js';
import { seedUsers } from './seed.js';

const quick = process.argv.includes('--quick');
/** Also run better-auth (bench/peers/better-auth) through the same workloads: `npm run bench -- --peers`. */
const withPeers = process.argv.includes('--peers');
/** Seconds per measured load segment. */
const SEGMENT = quick ? 2 : 8;
const WARMUP = 1;
const USERS = quick ? 100_000 : 1_000_000;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const threadPool = process.env.UV_THREADPOOL_SIZE ?? String(os.availableParallelism());

/**
 * Keycloak's published sizing (Concepts for sizing CPU and memory resources, Keycloak 26): one vCPU
 * per 15 password logins per second, at its default hash (Argon2id, 7 MiB, 5 iterations, parallelism 1).
 */
const KEYCLOAK_LOGINS_PER_VCPU = 15;
const KEYCLOAK_ARGON2 = { memoryKib: 7168, iterations: 5 };

const children = new Set<Child>();
const cleanups: (() => Promise<void>)[] = [];
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function cleanup(): Promise<void> {
  for (const child of children) await child.stop().catch(() => {});
  children.clear();
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => {});
}

async function track(child: Promise<Child>): Promise<Child> {
  const started = await child;
  children.add(started);
  return started;
}

async function stop(child: Child): Promise<void> {
  await child.stop();
  children.delete(child);
}

async function createDatabase(): Promise<string> {
  const name = `roster_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function postgresVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  await client.end();
  return rows[0]?.v ?? '?';
}

const secretKey = randomBytes(48).toString('base64url');
const superuser = { email: 'admin@bench.example', password: randomBytes(18).toString('base64url') };

function rosterEnv(extra: Record<string, string>): Record<string, string> {
  return {
    ENVIRONMENT: 'production',
    PROJECT_NAME: 'Roster bench',
    SECRET_KEY: secretKey,
    FIRST_SUPERUSER: superuser.email,
    FIRST_SUPERUSER_PASSWORD: superuser.password,
    FRONTEND_HOST: 'http://localhost:5173',
    // Row 2 drives thousands of logins from one address to measure hashing capacity; the
    // rate limits would rightly refuse them (they are tested in the API suite).
    RATE_LIMIT_ENABLED: 'false',
    ...extra,
  };
}

function loginBody(email: string, password: string): string {
  return new URLSearchParams({ username: email, password }).toString();
}
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function signIn(roster: Child, email: string, password: string): Promise<{ access_token: string; refresh_token: string }> {
  const response = await fetch(`${roster.baseUrl}/api/v1/login/access-token`, {
    method: 'POST',
    headers: FORM,
    body: loginBody(email, password),
  });
  if (!response.ok) throw new Error(`login as ${email}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { access_token: string; refresh_token: string };
}

async function tokenFor(roster: Child, email: string, password: string): Promise<string> {
  return (await signIn(roster, email, password)).access_token;
}

/** A regular user made through the API, and a bearer header for them. */
async function benchUser(roster: Child, adminToken: string): Promise<{ email: string; password: string; auth: string }> {
  const email = 'me@bench.example';
  const password = 'bench-user-password';
  const response = await fetch(`${roster.baseUrl}/api/v1/users/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, full_name: 'Bench Me' }),
  });
  if (!response.ok) throw new Error(`create bench user: ${response.status} ${await response.text()}`);
  return { email, password, auth: `Bearer ${await tokenFor(roster, email, password)}` };
}

/** Runs `work` while sampling the process's RSS; returns the peak. */
async function withPeakRss<T>(child: Child, work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peakMiB = child.rssMiB();
  const timer = setInterval(() => {
    peakMiB = Math.max(peakMiB, child.rssMiB());
  }, 100);
  try {
    return { result: await work(), peakMiB };
  } finally {
    clearInterval(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0)} ms` : 'no answer');
const perSecond = (value: number) => `${Math.round(value).toLocaleString('en')}/s`;

/** The three workloads against Roster (already running on PostgreSQL) and better-auth, alternating. */
async function comparePeers(side: {
  roster: Child;
  me: { email: string; password: string };
  meHeaders: Record<string, string>;
  loginOptions: Omit<LoadOptions, 'seconds'>;
  rosterVerifies: number;
}): Promise<PeerComparison> {
  log(`peers: better-auth ${peerVersion()}, the same three workloads in alternating segments`);
  installPeer(log);
  const peer = await track(
    startPeer({ DATABASE_URL: await createDatabase(), BETTER_AUTH_SECRET: secretKey, UV_THREADPOOL_SIZE: threadPool }),
  );
  const cookie = await peerSession(peer.baseUrl, side.me.email, side.me.password);
  const json = { 'content-type': 'application/json' };
  const signUps = quick ? 100 : 400;
  const signUpBody = (nameField: string) =>
    JSON.stringify({ email: 'signup-[<id>]@bench.example', password: 'bench-signup-password', [nameField]: 'Bench Signup' });
  log(`peers: sign-up of ${signUps} users each`);
  const signUp = await alternate({
    roster: {
      url: `${side.roster.baseUrl}/api/v1/users/signup`,
      method: 'POST',
      headers: json,
      body: signUpBody('full_name'),
      idReplacement: true,
      amount: signUps,
      connections: 16,
      seconds: 0,
    },
    betterAuth: {
      url: `${peer.baseUrl}/api/auth/sign-up/email`,
      method: 'POST',
      headers: peerHeaders(peer.baseUrl),
      body: signUpBody('name'),
      idReplacement: true,
      amount: signUps,
      connections: 16,
      seconds: 0,
    },
  });
  log('peers: login of one user, 16 connections; better-auth verifies (its scrypt) before and after');
  const peerLogin: LoadOptions = {
    url: `${peer.baseUrl}/api/auth/sign-in/email`,
    method: 'POST',
    headers: peerHeaders(peer.baseUrl),
    body: JSON.stringify({ email: side.me.email, password: side.me.password }),
    connections: 16,
    seconds: SEGMENT,
  };
  await load({ ...peerLogin, seconds: WARMUP });
  const peerVerifies = [await peerVerifiesPerSecond(threadPool, (SEGMENT * 1000) / 2)];
  const login = await alternate({ roster: { ...side.loginOptions, seconds: SEGMENT }, betterAuth: peerLogin });
  peerVerifies.push(await peerVerifiesPerSecond(threadPool, (SEGMENT * 1000) / 2));
  log('peers: who am I, 50 connections');
  const rosterMe: LoadOptions = {
    url: `${side.roster.baseUrl}/api/v1/users/me`,
    connections: 50,
    seconds: SEGMENT,
    headers: side.meHeaders,
  };
  const peerMe: LoadOptions = {
    url: `${peer.baseUrl}/api/auth/get-session`,
    connections: 50,
    seconds: SEGMENT,
    headers: { cookie },
  };
  await load({ ...peerMe, seconds: WARMUP });
  const whoAmI = await alternate({ roster: rosterMe, betterAuth: peerMe });
  await stop(peer);
  return {
    peer: `better-auth ${peerVersion()}`,
    signUps,
    roster: {
      signUp: signUp.roster,
      login: login.roster,
      whoAmI: whoAmI.roster,
      verifiesPerSecond: side.rosterVerifies,
      hash: 'Argon2id m=19 MiB, t=2, p=1',
    },
    betterAuth: {
      signUp: signUp.betterAuth,
      login: login.betterAuth,
      whoAmI: whoAmI.betterAuth,
      verifiesPerSecond: peerVerifies.reduce((a, b) => a + b, 0) / peerVerifies.length,
      hash: 'scrypt N=16384, r=16, p=1',
    },
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  log(`${quick ? 'quick' : 'full'} run: ${SEGMENT} s per load segment, ${USERS.toLocaleString('en')} users`);
  log('building the server (npm run build --workspace server)');
  const build = spawnSync('npm', ['run', '--silent', 'build', '--workspace', 'server'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('server build failed');

  const rows: Row[] = [];
  const databaseUrl = await createDatabase();

  // Row 6 (PostgreSQL), first half: a fresh process on a fresh database, migrations included.
  log('starting Roster on PostgreSQL');
  let roster = await track(startRoster(rosterEnv({ DATABASE_URL: databaseUrl })));
  const pgColdStart = await roster.ready('/api/v1/utils/health-check/');
  await sleep(1000);
  const pgIdleRss = roster.rssMiB();

  const adminToken = await tokenFor(roster, superuser.email, superuser.password);
  const me = await benchUser(roster, adminToken);
  const meUrl = `${roster.baseUrl}/api/v1/users/me`;
  const meHeaders = { authorization: me.auth };

  // Row 1: Roster's /users/me against bare routes (jose; and, stricter, Roster's own node:crypto verifier),
  // in interleaved segments so drift hits all three alike.
  log('row 1: GET /users/me vs bare Fastify routes (jose; node:crypto), 50 connections');
  const bareJose = await track(startHelper('bare-server.ts', { SECRET_KEY: secretKey, VERIFY: 'jose' }));
  const bareNode = await track(startHelper('bare-server.ts', { SECRET_KEY: secretKey, VERIFY: 'node' }));
  await Promise.all([bareJose.ready('/ready'), bareNode.ready('/ready')]);
  const bareJoseUrl = `${bareJose.baseUrl}/api/v1/users/me`;
  const bareNodeUrl = `${bareNode.baseUrl}/api/v1/users/me`;
  for (const url of [bareJoseUrl, bareNodeUrl, meUrl]) await load({ url, connections: 50, seconds: WARMUP, headers: meHeaders });
  const bareJoseRuns: LoadResult[] = [];
  const bareNodeRuns: LoadResult[] = [];
  const meRuns: LoadResult[] = [];
  let pgLoadRss = 0;
  for (let i = 0; i < 2; i++) {
    bareJoseRuns.push(await load({ url: bareJoseUrl, connections: 50, seconds: SEGMENT, headers: meHeaders }));
    bareNodeRuns.push(await load({ url: bareNodeUrl, connections: 50, seconds: SEGMENT, headers: meHeaders }));
    const run = await withPeakRss(roster, () => load({ url: meUrl, connections: 50, seconds: SEGMENT, headers: meHeaders }));
    meRuns.push(run.result);
    pgLoadRss = Math.max(pgLoadRss, run.peakMiB);
  }
  await stop(bareJose);
  await stop(bareNode);
  const bareJoseResult = combine(bareJoseRuns);
  const bareNodeResult = combine(bareNodeRuns);
  const meResult = combine(meRuns);
  const row1Ratio = meResult.requestsPerSecond / bareJoseResult.requestsPerSecond;
  rows.push({
    id: '1',
    what: 'GET /users/me, 50 conns',
    result: `${perSecond(meResult.requestsPerSecond)}, p99 ${ms(meResult.p99)}`,
    dividedBy: `bare Fastify route, jose verifies: ${perSecond(bareJoseResult.requestsPerSecond)}`,
    score: row1Ratio,
    target: '≥ 0.8; p99 ≤ 10 ms',
    margin: Math.min(atLeast(row1Ratio, 0.8).margin, atMost(meResult.p99, 10).margin),
    met: row1Ratio >= 0.8 && meResult.p99 <= 10,
    details: { roster: meResult, bare: bareJoseResult },
  });
  const row1cRatio = meResult.requestsPerSecond / bareNodeResult.requestsPerSecond;
  rows.push({
    id: '1c',
    what: 'GET /users/me, stricter baseline',
    result: `${perSecond(meResult.requestsPerSecond)} (as row 1)`,
    dividedBy: `bare Fastify route, node:crypto verifies: ${perSecond(bareNodeResult.requestsPerSecond)}`,
    score: row1cRatio,
    target: 'none (reported)',
    margin: 1,
    met: true,
    details: { roster: meResult, bare: bareNodeResult },
  });

  // Row 1b: what a log line per request costs — a second Roster on the same database at LOG_LEVEL=debug,
  // against the first (default level: no per-request line) in interleaved halves.
  log('row 1b: GET /users/me with a log line per request (LOG_LEVEL=debug)');
  const verbose = await track(startRoster(rosterEnv({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'debug' })));
  await verbose.ready('/api/v1/utils/health-check/');
  const verboseUrl = `${verbose.baseUrl}/api/v1/users/me`;
  await load({ url: verboseUrl, connections: 50, seconds: WARMUP, headers: meHeaders });
  const quietRuns: LoadResult[] = [];
  const verboseRuns: LoadResult[] = [];
  for (let i = 0; i < 2; i++) {
    quietRuns.push(await load({ url: meUrl, connections: 50, seconds: SEGMENT / 2, headers: meHeaders }));
    verboseRuns.push(await load({ url: verboseUrl, connections: 50, seconds: SEGMENT / 2, headers: meHeaders }));
  }
  await stop(verbose);
  const quiet = combine(quietRuns);
  const logged = combine(verboseRuns);
  const row1bRatio = logged.requestsPerSecond / quiet.requestsPerSecond;
  rows.push({
    id: '1b',
    what: 'GET /users/me, a log line per request',
    result: `${perSecond(logged.requestsPerSecond)} at LOG_LEVEL=debug`,
    dividedBy: `the same at the default level: ${perSecond(quiet.requestsPerSecond)}`,
    score: row1bRatio,
    target: '> 0.5 (logging must not halve it)',
    margin: row1bRatio / 0.5,
    met: row1bRatio > 0.5,
    details: { debug: logged, default: quiet },
  });

  // Row 2: logins against argon2id verifications on the same thread-pool size.
  log(`row 2: POST /login/access-token, 16 connections vs argon2id verifies on ${threadPool} threads`);
  const loginLoad = { url: `${roster.baseUrl}/api/v1/login/access-token`, method: 'POST' as const, headers: FORM };
  const loginOptions = { ...loginLoad, body: loginBody(me.email, me.password), connections: 16 };
  await load({ ...loginOptions, seconds: WARMUP });
  const loginsFrom = new Date();
  // Interleaved halves, as in row 1, so that a noisy neighbour hits both sides alike.
  const argonRuns: number[] = [];
  const loginRuns: LoadResult[] = [];
  for (let i = 0; i < 2; i++) {
    const argonRun = await runHelper<{ verifiesPerSecond: number }>('argon2-baseline.ts', {
      UV_THREADPOOL_SIZE: threadPool,
      DURATION_MS: String((SEGMENT * 1000) / 2),
      CONCURRENCY: '16',
    });
    argonRuns.push(argonRun.verifiesPerSecond);
    loginRuns.push(await load({ ...loginOptions, seconds: SEGMENT / 2 }));
  }
  const argon = { verifiesPerSecond: argonRuns.reduce((a, b) => a + b, 0) / argonRuns.length, runs: argonRuns };
  const logins = combine(loginRuns);
  const row2Ratio = logins.requestsPerSecond / argon.verifiesPerSecond;
  rows.push({
    id: '2',
    what: 'POST /login/access-token, 16 conns',
    result: `${perSecond(logins.requestsPerSecond)} logins, p99 ${ms(logins.p99)}`,
    dividedBy: `argon2id verifies, ${threadPool} threads: ${perSecond(argon.verifiesPerSecond)}`,
    score: row2Ratio,
    target: '≥ 0.9',
    ...atLeast(row2Ratio, 0.9),
    details: { logins, argon2: argon, batchSizes: await signInBatchSizes(databaseUrl, loginsFrom) },
  });

  // Row 2b: logins per core, beside Keycloak's published sizing figure. The two hash costs differ,
  // so the same machine's Argon2id verifications at Keycloak's default cost are measured too.
  log("row 2b: logins per core; argon2id verifies at Keycloak's default cost");
  const cores = os.availableParallelism();
  const keycloakArgon = await runHelper<{ verifiesPerSecond: number }>('argon2-baseline.ts', {
    UV_THREADPOOL_SIZE: threadPool,
    DURATION_MS: String((SEGMENT * 1000) / 2),
    CONCURRENCY: '16',
    ARGON2_MEMORY_KIB: String(KEYCLOAK_ARGON2.memoryKib),
    ARGON2_ITERATIONS: String(KEYCLOAK_ARGON2.iterations),
    ARGON2_PARALLELISM: '1',
  });
  const loginsPerCore = logins.requestsPerSecond / cores;
  rows.push({
    id: '2b',
    what: 'logins per core',
    result:
      `${perSecond(loginsPerCore)} per core (row 2 on ${cores} cores) at Roster's default Argon2id m=19 MiB, t=2, p=1 ` +
      `(${perSecond(argon.verifiesPerSecond / cores)} verifies per core)`,
    dividedBy:
      `Keycloak's sizing figure, ${KEYCLOAK_LOGINS_PER_VCPU}/s per vCPU at its default Argon2id m=7 MiB, t=5, p=1 ` +
      `(here ${perSecond(keycloakArgon.verifiesPerSecond / cores)} verifies per core at that cost)`,
    score: loginsPerCore / KEYCLOAK_LOGINS_PER_VCPU,
    target: 'none (orientation)',
    margin: 1,
    met: true,
    details: {
      cores,
      loginsPerCore,
      rosterArgon2: {
        memoryKib: 19456,
        iterations: 2,
        parallelism: 1,
        verifiesPerSecondPerCore: argon.verifiesPerSecond / cores,
      },
      keycloak: {
        loginsPerVcpu: KEYCLOAK_LOGINS_PER_VCPU,
        argon2: { ...KEYCLOAK_ARGON2, parallelism: 1 },
        verifiesPerSecondPerCoreHere: keycloakArgon.verifiesPerSecond / cores,
        source: 'https://www.keycloak.org/high-availability/concepts-memory-and-cpu-sizing',
      },
    },
  });

  // Row 2c: refreshes, each connection rotating a session's chain: a token works once, so each request
  // takes a token from the pool and its answer puts the successor back. Reported absolute.
  log('row 2c: POST /login/refresh-token, 16 connections');
  const refreshTokens: string[] = [];
  for (let i = 0; i < 16; i++) refreshTokens.push((await signIn(roster, me.email, me.password)).refresh_token);
  const refreshesFrom = new Date();
  const refreshes = await load({
    url: `${roster.baseUrl}/api/v1/login/refresh-token`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: 16,
    seconds: SEGMENT,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ refresh_token: refreshTokens.pop() }) }),
        onResponse: (status, body) => {
          if (status === 200) refreshTokens.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
        },
      },
    ],
  });
  const refreshBatches = await refreshBatchSizes(databaseUrl, refreshesFrom);
  rows.push({
    id: '2c',
    what: 'POST /login/refresh-token, 16 conns',
    result: `${perSecond(refreshes.requestsPerSecond)} refreshes, p99 ${ms(refreshes.p99)}`,
    dividedBy: `absolute (16 sessions; ${describeBatchSizes(refreshBatches, 'refreshes')})`,
    score: refreshes.requestsPerSecond,
    target: 'none (reported)',
    margin: 1,
    met: true,
    details: { refreshes, batchSizes: refreshBatches },
  });

  // Row 3: /users/me latency alone, then under row 2's login storm.
  log('row 3: GET /users/me at 10 connections, alone and during a login storm');
  const meOptions = { url: meUrl, connections: 10, headers: meHeaders };
  await load({ ...meOptions, seconds: WARMUP });
  const alone = await load({ ...meOptions, seconds: SEGMENT });
  const [stormed, storm] = await Promise.all([
    load({ ...meOptions, seconds: SEGMENT }),
    load({ ...loginOptions, seconds: SEGMENT }),
  ]);
  const row3Ratio = stormed.p99 / alone.p99;
  rows.push({
    id: '3',
    what: 'login storm isolation',
    result: `/users/me p99 ${ms(stormed.p99)} during ${perSecond(storm.requestsPerSecond)} logins`,
    dividedBy: `its p99 alone: ${ms(alone.p99)}`,
    score: row3Ratio,
    target: '≤ 3',
    ...atMost(row3Ratio, 3),
    details: { alone, stormed, storm, batchSizesRows2and3: await signInBatchSizes(databaseUrl, loginsFrom) },
  });

  // The peer comparison, on the small database (before row 5 seeds a million users into Roster's).
  const peerComparison = withPeers
    ? await comparePeers({ roster, me, meHeaders, loginOptions, rosterVerifies: argon.verifiesPerSecond })
    : undefined;

  // Row 5: bulk creation (before row 4, which needs the users).
  log(`row 5: seeding ${USERS.toLocaleString('en')} users`);
  const seeded = await seedUsers(databaseUrl, USERS);
  rows.push({
    id: '5',
    what: `seed ${USERS.toLocaleString('en')} users`,
    result: `${perSecond(seeded.usersPerSecond)} users, ${seeded.seconds.toFixed(1)} s`,
    dividedBy: 'absolute (INSERT … SELECT generate_series, 2 connections, one precomputed argon2id hash, then VACUUM ANALYZE)',
    score: seeded.seconds,
    target: '< 60 s',
    ...atMost(seeded.seconds, 60),
    details: { ...seeded },
  });

  // Row 4: the admin's list at scale.
  log('row 4: GET /users/ at scale, 10 connections each');
  const adminHeaders = { authorization: `Bearer ${adminToken}` };
  const usersUrl = `${roster.baseUrl}/api/v1/users/`;
  const probe = (await (await fetch(`${usersUrl}?skip=49900&limit=100`, { headers: adminHeaders })).json()) as {
    next_cursor?: string | null;
  };
  const searches: [string, string, string][] = [
    ['4a', 'first page', `${usersUrl}?limit=100`],
    ['4b', 'page 50,000 rows deep (skip)', `${usersUrl}?skip=50000&limit=100`],
  ];
  if (probe.next_cursor) {
    searches.push(['4c', 'page 50,000 rows deep (cursor)', `${usersUrl}?cursor=${probe.next_cursor}&limit=100`]);
  }
  searches.push(['4d', 'q= email substring', `${usersUrl}?q=12345&limit=100`]);
  for (const [id, what, url] of searches) {
    await load({ url, connections: 10, seconds: WARMUP, headers: adminHeaders });
    const result = await load({ url, connections: 10, seconds: SEGMENT, headers: adminHeaders });
    rows.push({
      id,
      what: `GET /users/ ${what}`,
      result: `p50 ${ms(result.p50)}, p99 ${ms(result.p99)} (${perSecond(result.requestsPerSecond)})`,
      dividedBy: 'absolute',
      score: result.p50,
      target: 'p50 < 20 ms',
      ...atMost(result.p50, 20),
      details: { url: url.replace(roster.baseUrl, ''), ...result },
    });
  }

  // Row 6 (PostgreSQL), second half: a restart on the populated database.
  await stop(roster);
  roster = await track(startRoster(rosterEnv({ DATABASE_URL: databaseUrl })));
  const pgRestart = await roster.ready('/api/v1/utils/health-check/');
  await stop(roster);
  rows.push({
    id: '6a',
    what: 'PostgreSQL: cold start; RSS',
    result: `start ${ms(pgColdStart)} (restart ${ms(pgRestart)}); RSS idle ${pgIdleRss.toFixed(0)} MiB, row-1 load ${pgLoadRss.toFixed(0)} MiB`,
    dividedBy: 'absolute (spawn of node server/dist/start.cjs → first 200)',
    score: pgColdStart,
    target: '< 1000 ms, < 150 MiB idle',
    margin: Math.min(atMost(pgColdStart, 1000).margin, atMost(pgIdleRss, 150).margin),
    met: pgColdStart < 1000 && pgIdleRss < 150,
    details: { coldStartMs: pgColdStart, restartMs: pgRestart, idleRssMiB: pgIdleRss, loadRssMiB: pgLoadRss },
  });

  // Row 6 (PGlite): a fresh data folder, then row 1's load for RSS.
  log('row 6: Roster on PGlite');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-bench-pglite-'));
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  roster = await track(startRoster(rosterEnv({ DATA_DIR: dataDir })));
  const liteColdStart = await roster.ready('/api/v1/utils/health-check/', 120_000);
  await sleep(1000);
  const liteIdleRss = roster.rssMiB();
  const liteAdmin = await tokenFor(roster, superuser.email, superuser.password);
  const liteMe = await benchUser(roster, liteAdmin);
  const liteOptions = { url: `${roster.baseUrl}/api/v1/users/me`, connections: 50, headers: { authorization: liteMe.auth } };
  await load({ ...liteOptions, seconds: WARMUP });
  const liteRun = await withPeakRss(roster, () => load({ ...liteOptions, seconds: SEGMENT }));
  await stop(roster);
  roster = await track(startRoster(rosterEnv({ DATA_DIR: dataDir })));
  const liteRestart = await roster.ready('/api/v1/utils/health-check/', 120_000);
  await stop(roster);
  rows.push({
    id: '6b',
    what: 'PGlite: cold start; RSS',
    result: `start ${ms(liteColdStart)} (restart ${ms(liteRestart)}); RSS idle ${liteIdleRss.toFixed(0)} MiB, row-1 load ${liteRun.peakMiB.toFixed(0)} MiB (${perSecond(liteRun.result.requestsPerSecond)})`,
    dividedBy: "absolute (fresh data folder: a copy of the build's migrated empty database, then any newer migrations)",
    score: liteColdStart,
    target: 'none (reported)',
    margin: 1,
    met: true,
    details: { coldStartMs: liteColdStart, restartMs: liteRestart, idleRssMiB: liteIdleRss, load: liteRun },
  });

  const order = ['1', '1b', '1c', '2', '2b', '2c', '3', '4a', '4b', '4c', '4d', '5', '6a', '6b'];
  rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const report: Report = {
    mode: quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(),
    seconds: Math.round((performance.now() - t0) / 1000),
    machine: {
      cores: os.availableParallelism(),
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      postgres: await postgresVersion(),
      threadPool,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))),
    },
    users: USERS,
    rows,
    ...(peerComparison ? { peers: peerComparison } : {}),
  };
  const written = writeReport(path.join(benchDir, 'results'), report);
  process.stdout.write(`\n${table(report)}\n\n`);
  const batchSizes = rows.find((row) => row.id === '3')?.details?.batchSizesRows2and3 as BatchSizes | undefined;
  if (batchSizes) process.stdout.write(`Group commit during rows 2 and 3: ${describeBatchSizes(batchSizes)}.\n`);
  if (peerComparison) process.stdout.write(`\n${peerTable(peerComparison)}\n`);
  process.stdout.write(
    `${report.mode} run, ${USERS.toLocaleString('en')} users${quick ? ' (the full run seeds 1,000,000)' : ''}, ` +
      `${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, load average ${report.machine.loadAverage.join(' ')}, ${report.seconds} s. Wrote ${path.relative(repoRoot, written.json)} and ${path.relative(repoRoot, written.svg)}.\n`,
  );
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

try {
  await main();
  await cleanup();
} catch (error) {
  process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  for (const child of children) process.stderr.write(`--- output of pid ${child.pid}:\n${child.tail()}\n`);
  await cleanup();
  process.exitCode = 1;
}
