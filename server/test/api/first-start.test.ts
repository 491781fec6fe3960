/**
 * What a person sees on the first `npm start` (the start command's flag,
 * --local-defaults, on an empty data folder), and the JSON logs on request.
 * Real processes; `npm start`'s pre-build check runs as it does there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { onPostgres } from '../helpers/database.js';
import { baseEnv, startRoster } from '../helpers/process.js';

vi.setConfig({ testTimeout: 180_000 });

function prepareStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'scripts/prepare-start.mjs')], {
    cwd: repoRoot,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

describe.skipIf(onPostgres)('the first start', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-first-'));
  afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

  it('names a new data folder, says it creates the database, and ends with a summary for a person', async () => {
    const dataDir = path.join(parent, 'typo', 'data');
    const roster = await startRoster({ DATA_DIR: dataDir, LOG_LEVEL: 'info' }, ['--local-defaults']);
    try {
      await roster.ready();
      const url = `http://localhost:${roster.port}`;
      // The summary is the last thing written once Roster listens.
      await vi.waitFor(() => expect(roster.output()).toContain(`API docs: ${url}/docs`), { timeout: 10_000 });
      const output = roster.output();
      expect(output).toContain(`DATA_DIR ${dataDir} does not exist: creating it.`);
      expect(output).toContain(`creating the embedded database in ${dataDir} (first run)…`);
      expect(output).toMatch(new RegExp(`Roster is ready: open ${url}|Roster's API is ready at ${url}`));
      expect(output).toContain('sign in as admin@example.com / changethis (account created just now)');
      expect(output).toContain(`mail is not sent: read it at ${url}/dev/mailbox`);
      expect(output).not.toContain('"level"');
    } finally {
      await roster.stop();
    }
  });

  it('logs one JSON object per line with LOG_FORMAT=json, and says nothing of a first run on the second', async () => {
    const dataDir = path.join(parent, 'typo', 'data');
    const roster = await startRoster({ DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, ['--local-defaults']);
    try {
      await roster.ready();
      await vi.waitFor(() => expect(roster.output()).toContain('Roster listening on'), { timeout: 10_000 });
      const lines = roster.output().trim().split('\n');
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      expect(roster.output()).not.toContain('first run');
      expect(roster.output()).not.toContain('does not exist');
    } finally {
      await roster.stop();
    }
  });

  it("npm start's check refuses a bad PORT with one line, before any build", async () => {
    const { code, output } = await prepareStart({ PORT: 'abc', DATA_DIR: path.join(parent, 'unused') });
    expect(code).toBe(1);
    expect(output).toBe('roster: PORT must be a whole number, got "abc".\n');
  });
});
