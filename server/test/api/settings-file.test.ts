/**
 * A developer's `.env` at the repository root must not change (or fail) the tests:
 * the processes they start read no settings file (ROSTER_ENV_FILE=off in baseEnv).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { runCli } from '../helpers/cli.js';
import { onPostgres } from '../helpers/database.js';
import { startRoster } from '../helpers/process.js';

vi.setConfig({ testTimeout: 180_000 });

const GARBAGE = 'ENVIRONMENT=garbage\nPORT=garbage\nLOG_LEVEL=garbage\nDATABASE_URL=garbage\nDATA_DIR=/dev/null/garbage\n';

describe.skipIf(onPostgres)("the repository's .env", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-envfile-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('a garbage .env changes neither the server nor the CLI the tests start', async () => {
    const envFile = path.join(repoRoot, '.env');
    // A developer's own .env is left alone (and is then what this test runs against).
    const ours = !fs.existsSync(envFile);
    if (ours) fs.writeFileSync(envFile, GARBAGE);
    try {
      const roster = await startRoster({ DATA_DIR: dataDir }, ['--local-defaults']);
      try {
        await roster.ready();
      } finally {
        await roster.stop();
      }
      const cli = await runCli(['users', 'list'], { DATA_DIR: dataDir });
      expect(cli.stderr).toBe('');
      expect(cli.stdout).toContain('admin@example.com');
    } finally {
      if (ours) fs.rmSync(envFile, { force: true });
    }
  });
});
