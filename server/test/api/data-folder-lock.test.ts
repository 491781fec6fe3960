/**
 * One process per embedded data folder (PGlite): a second server or a CLI command on
 * a folder a running server holds refuses with one line, instead of working on its own
 * copy whose writes vanish. Real processes throughout.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { onPostgres } from '../helpers/database.js';
import { runRosterToExit, startRoster } from '../helpers/process.js';

// Child processes start slowly while the rest of the suite loads both cores.
vi.setConfig({ testTimeout: 180_000 });

const lockFile = (dataDir: string) => path.join(dataDir, 'roster.lock');
const lockPid = (dataDir: string): number => JSON.parse(fs.readFileSync(lockFile(dataDir), 'utf8')).pid;
const inUseLine = (dataDir: string, pid: number, port: number) =>
  `${dataDir} is in use by Roster (PID ${pid}, http://localhost:${port}); stop it or set DATABASE_URL`;

describe.skipIf(onPostgres)('one process per embedded data folder', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-lock-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('a second server and the CLI refuse while a server runs; a clean stop frees the folder', async () => {
    const first = await startRoster({ DATA_DIR: dataDir }, ['--local-defaults']);
    try {
      await first.ready();
      const line = inUseLine(dataDir, lockPid(dataDir), first.port);

      const second = await runRosterToExit({ DATA_DIR: dataDir }, ['--local-defaults']);
      expect(second.code).toBe(1);
      expect(second.output).toBe(`${line}\n`);

      const cli = await runCli(['users', 'deactivate', 'admin@example.com'], { DATA_DIR: dataDir });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toBe(`${line}\n`);
      expect(cli.stdout).toBe('');

      // The holder is untouched: it still answers, and the refused change was never made.
      const login = await fetch(`${first.baseUrl}/api/v1/login/access-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'admin@example.com', password: 'changethis' }),
      });
      expect(login.status).toBe(200);
    } finally {
      await first.stop();
    }
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
    const list = await runCli(['users', 'list'], { DATA_DIR: dataDir });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('admin@example.com');
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
  });

  it('a lock left by a killed server does not block the next one', async () => {
    const killed = await startRoster({ DATA_DIR: dataDir }, ['--local-defaults']);
    await killed.ready();
    // The node process itself (the lock's PID; the child we spawned is tsx, its parent).
    const killedPid = lockPid(dataDir);
    process.kill(killedPid, 'SIGKILL');
    await killed.exited();
    expect(fs.existsSync(lockFile(dataDir))).toBe(true);

    const next = await startRoster({ DATA_DIR: dataDir }, ['--local-defaults']);
    try {
      await next.ready();
      expect(next.output()).not.toContain('in use');
      const health = await fetch(`${next.baseUrl}/api/v1/utils/health-check/`);
      expect(health.status).toBe(200);
      expect(lockPid(dataDir)).not.toBe(killedPid);
    } finally {
      await next.stop();
    }
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
  });
});
