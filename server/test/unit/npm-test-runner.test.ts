/**
 * `npm test` (scripts/test.mjs) runs every suite even after one fails, ends with a table of
 * each suite's result, exits non-zero when any failed, and says first what it leaves out.
 * Run for real, on a throwaway package whose npm scripts pass or fail on purpose.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv } from '../helpers/process.js';

const runner = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/test.mjs');
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-npm-test-'));
  const scripts = {
    first: 'node -e "console.log(\'first ran\')"',
    broken: 'node -e "console.log(\'broken ran\'); process.exit(3)"',
    last: 'node -e "console.log(\'last ran\')"',
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'runner-test', private: true, scripts }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function runRunner(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [runner, ...args], { cwd: dir, env: { ...baseEnv(), ...env } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, output })),
  );
}

describe('npm test runner', () => {
  it('runs the suites after a failing one, reports each, and exits non-zero', async () => {
    const { code, output } = await runRunner(['first', 'broken', 'last']);
    expect(code).toBe(1);
    expect(output).toContain('first ran');
    expect(output).toContain('broken ran');
    expect(output).toContain('last ran');
    const summary = output.slice(output.indexOf('== Summary'));
    expect(summary).toMatch(/^ {2}first +passed +\d+\.\d s$/m);
    expect(summary).toMatch(/^ {2}broken +FAILED +\d+\.\d s$/m);
    expect(summary).toMatch(/^ {2}last +passed +\d+\.\d s$/m);
    expect(summary).toMatch(/^ {2}total +\d+\.\d s$/m);
    expect(output).toMatch(/broken did not pass\.\n$/);
  });

  it('says at the start which tests it skips, why, and how to turn them on; exits 0 when all pass', async () => {
    const without = await runRunner(['first']);
    expect(without.code).toBe(0);
    expect(without.output).not.toContain('FAILED');
    const header = without.output.slice(0, without.output.indexOf('first ran'));
    expect(header).toContain('TEST_DATABASE_URL is not set');
    expect(header).toContain('TEST_DATABASE_URL=postgres://');
    expect(header).toContain('TEST_REDIS_URL is not set');
    expect(header).toContain('TEST_REDIS_URL=redis://');

    const all = await runRunner(['first'], {
      TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      TEST_REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(all.output).not.toContain('is not set');
    expect(all.output).toContain('Nothing skipped.');
  });

  it('refuses to run with no suites named', async () => {
    const { code, output } = await runRunner([]);
    expect(code).toBe(2);
    expect(output).toMatch(/^usage: /);
  });
});
