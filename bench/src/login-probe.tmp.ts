// Scratch (not committed): rows 2 and 3 only, against a given server build, with batch sizes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { baseEnv, freePort } from '../../server/test/helpers/process.js';
import { describeBatchSizes, signInBatchSizes } from './batch-sizes.js';
import { combine, type LoadResult, load } from './load.js';
import { runHelper } from './processes.js';

const main = process.env.ROSTER_MAIN!;
const SEG = Number(process.env.SEG ?? 4);
const adminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `roster_probe_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = `postgres://postgres@127.0.0.1:5432/${name}`;
const port = await freePort();
const secret = randomBytes(40).toString('base64url');
const child = spawn(process.execPath, [main], {
  env: {
    ...baseEnv(),
    ENVIRONMENT: 'production',
    PROJECT_NAME: 'p',
    SECRET_KEY: secret,
    FIRST_SUPERUSER: 'admin@bench.example',
    FIRST_SUPERUSER_PASSWORD: 'a-long-bench-password-1',
    FRONTEND_HOST: 'http://localhost:5173',
    RATE_LIMIT_ENABLED: 'false',
    DATABASE_URL: url,
    HOST: '127.0.0.1',
    PORT: String(port),
    ...(process.env.WIN ? { SIGN_IN_GROUP_COMMIT_MS: process.env.WIN } : {}),
  },
  stdio: 'ignore',
});
const base = `http://127.0.0.1:${port}`;
for (;;) {
  try {
    if ((await fetch(`${base}/api/v1/utils/health-check/`)).ok) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 50));
}
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const body = new URLSearchParams({ username: 'admin@bench.example', password: 'a-long-bench-password-1' }).toString();
const tok = (await (await fetch(`${base}/api/v1/login/access-token`, { method: 'POST', headers: form, body })).json()) as {
  access_token: string;
};
const loginOptions = { url: `${base}/api/v1/login/access-token`, method: 'POST' as const, headers: form, body, connections: 16 };
await load({ ...loginOptions, seconds: 1 });
const from = new Date();
const argonRuns: number[] = [];
const loginRuns: LoadResult[] = [];
for (let i = 0; i < 2; i++) {
  argonRuns.push(
    (
      await runHelper<{ verifiesPerSecond: number }>('argon2-baseline.ts', {
        UV_THREADPOOL_SIZE: String(os.availableParallelism()),
        DURATION_MS: String(SEG * 1000),
        CONCURRENCY: '16',
      })
    ).verifiesPerSecond,
  );
  loginRuns.push(await load({ ...loginOptions, seconds: SEG }));
}
const argon = argonRuns.reduce((a, b) => a + b) / 2;
const logins = combine(loginRuns);
const meOptions = { url: `${base}/api/v1/users/me`, connections: 10, headers: { authorization: `Bearer ${tok.access_token}` } };
await load({ ...meOptions, seconds: 1 });
const alone = await load({ ...meOptions, seconds: SEG });
const [stormed, storm] = await Promise.all([load({ ...meOptions, seconds: SEG }), load({ ...loginOptions, seconds: SEG })]);
const sizes = await signInBatchSizes(url, from);
console.log(
  JSON.stringify({
    label: process.env.LABEL,
    row2: (logins.requestsPerSecond / argon).toFixed(3),
    logins: logins.requestsPerSecond.toFixed(0),
    p99: logins.p99,
    argon: argon.toFixed(0),
    row3: (stormed.p99 / alone.p99).toFixed(2),
    alone: alone.p99,
    stormed: stormed.p99,
    storm: storm.requestsPerSecond.toFixed(0),
    batches: describeBatchSizes(sizes),
    load: os.loadavg()[0],
  }),
);
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
await admin.end();
