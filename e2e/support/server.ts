// A real Roster server for the browser tests and the screenshot script: built from this
// checkout (server and web), started on a free port with an empty temporary database.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCurrent } from '../../server/bin/freshness.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const resultsDir = path.join(repoRoot, 'e2e', 'test-results');

function npmRun(workspace: string, script: string): void {
  process.stderr.write(`e2e: npm run ${script} --workspace ${workspace}\n`);
  execFileSync('npm', ['run', script, '--workspace', workspace], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Build the server and the web app unless their outputs are newer than their sources, so a
 * re-run after a test-only change starts at once. E2E_BUILD=always forces both builds.
 */
export function buildIfNeeded(): void {
  const force = process.env.E2E_BUILD === 'always';
  const targets = [
    {
      workspace: 'server',
      output: 'server/dist',
      sources: ['server/src', 'server/package.json', 'server/tsconfig.build.json'],
    },
    {
      workspace: 'web',
      output: 'web/dist',
      sources: ['web/src', 'web/index.html', 'web/public', 'web/vite.config.ts', 'web/package.json'],
    },
  ];
  for (const { workspace, output, sources } of targets) {
    // The whole output folder: an incremental tsc rewrites only the files whose output changed.
    const current = isCurrent(
      path.join(repoRoot, output),
      sources.map((s) => path.join(repoRoot, s)),
    );
    if (force || !current) npmRun(workspace, 'build');
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export type RunningServer = { url: string; stop: () => Promise<void> };

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Roster server exited with code ${child.exitCode} while starting`);
    try {
      const response = await fetch(`${url}/api/v1/utils/health-check/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`the Roster server did not answer ${url}/api/v1/utils/health-check/ within ${timeoutMs} ms`);
}

export type ServerOptions = {
  /** Listen here (default: a free port). */
  port?: number;
  /** The host name the browser uses (default 127.0.0.1; the server listens on 127.0.0.1 either way). */
  hostName?: string;
  /** More settings (a file that needs its own server: sign-in providers). */
  env?: Record<string, string>;
};

/** Start `node server/dist/main.js --local-defaults` on a fresh DATA_DIR; its log goes to test-results/. */
export async function startServer(logName = 'server.log', options: ServerOptions = {}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const hostName = options.hostName ?? '127.0.0.1';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'roster-e2e-'));
  mkdirSync(resultsDir, { recursive: true });
  const log = createWriteStream(path.join(resultsDir, logName));
  const child = spawn(process.execPath, ['server/dist/main.js', '--local-defaults'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      // Never the developer's .env: the suite's settings are all here.
      ROSTER_ENV_FILE: 'off',
      ENVIRONMENT: 'local',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      FRONTEND_HOST: `http://${hostName}:${port}`,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      // The suite signs up and signs in far more often from one address than a person would;
      // rate limits have their own API tests.
      RATE_LIMIT_ENABLED: 'false',
      // Every email change asks for the password, so the suite walks the dialog the web app shows
      // once a sign-in is older than the window (a browser test cannot wait out the default 10 minutes).
      REAUTH_WINDOW_MINUTES: '0',
      // Browsers refuse passkeys on an IP address: the passkey tests open the app as localhost (passkeyURL).
      WEBAUTHN_RP_ID: 'localhost',
      WEBAUTHN_ORIGINS: `http://localhost:${port}`,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://${hostName}:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // By address: a host name like localhost may resolve to ::1 first, where nothing listens.
    // Generous: it only catches a hang (a first start creates and migrates the database, which
    // took over a minute on a 2-core machine shared by many busy processes).
    await waitForHealth(`http://127.0.0.1:${port}`, child, 180_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
