/**
 * Vitest global setup for the suites that run the built server (the CLI suites spawn
 * `node dist/cli/main.js`, which starts in a fraction of the time tsx takes to compile the
 * source on every call). Builds once per test run, and only when a source file is newer
 * than the last build, so the tests never run stale code. Also keeps the embedded database
 * template current (see below).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestMtime } from '../../bin/freshness.js';
import { buildTemplate } from '../../src/db/embedded-template.js';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const builtCli = path.join(serverDir, 'dist/cli/main.js');
const buildInfo = path.join(serverDir, 'dist/.tsbuildinfo');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => path.join(serverDir, p));

function buildIsStale(): boolean {
  const built = fs.statSync(buildInfo, { throwIfNoEntry: false });
  if (!built || !fs.existsSync(builtCli)) return true;
  return newestMtime(inputs) > built.mtimeMs;
}

export default async function setup(): Promise<void> {
  buildServer();
  // The migrated empty database every fresh PGlite database of the suites loads instead of
  // running initdb (seconds each; db/embedded-template.ts). Made once, kept while current.
  await buildTemplate();
}

function buildServer(): void {
  if (!buildIsStale()) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  process.stdout.write('Building the server for the tests that run it (src/ changed since the last build)…\n');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: serverDir, encoding: 'utf8' });
  // tsc emits even with type errors (the typecheck suite reports those); only a missing entry point stops the tests.
  if (!fs.existsSync(builtCli))
    throw new Error(`the server build did not produce ${builtCli}:\n${result.stdout}${result.stderr}`);
  if (result.status !== 0) process.stdout.write(`The server build reported errors (see npm run typecheck):\n${result.stdout}`);
  // tsc leaves its build info alone when nothing changed in substance; mark the build as current.
  const now = new Date();
  fs.utimesSync(buildInfo, now, now);
}
