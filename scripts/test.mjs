#!/usr/bin/env node
/**
 * `npm test`: runs every suite, one after the other, even when an earlier one fails (a failing
 * typecheck must not hide the web tests), then prints one line per suite with its result and
 * time, and exits non-zero if any failed. It says first which tests are left out and how to
 * turn them on. Plain Node, no dependencies: it must run before anything is built.
 */
import { spawn } from 'node:child_process';

// The suites are root npm scripts, named on the command line (package.json's "test" lists them).
const describe = {
  typecheck: 'TypeScript, every workspace',
  lint: 'Biome',
  'test:server': 'unit, API and CLI tests (Vitest)',
  'test:web': 'web app unit tests (Vitest)',
};
const suites = process.argv.slice(2).map((name) => ({ name, what: describe[name] ?? `npm run ${name}` }));
if (suites.length === 0) {
  process.stderr.write('usage: node scripts/test.mjs SCRIPT... (root npm scripts to run as suites)\n');
  process.exit(2);
}

/** What runs only when an outside service is named, with the line that turns it on. */
const optional = [
  {
    variable: 'TEST_DATABASE_URL',
    covers:
      'the API tests on PostgreSQL as well as PGlite, the CLI tests on PostgreSQL instead of PGlite, the template import and interrupted-import tests',
    example: 'TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm test',
    note: 'any database the user may CREATE DATABASE from; each test file makes and drops its own',
  },
  {
    variable: 'TEST_REDIS_URL',
    covers: 'the brute-force counters on Redis (the Redis tests between processes also need TEST_DATABASE_URL)',
    example: 'TEST_REDIS_URL=redis://127.0.0.1:6379 npm test',
    note: 'keys are written under a random prefix',
  },
];

const say = (text = '') => process.stdout.write(`${text}\n`);

function seconds(ms) {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const whole = Math.round(ms / 1000); // round once: 539.7 s is "9 min 00 s", never "8 min 60 s"
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

function run(args) {
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, args, { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('close', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

say(`npm test: ${suites.map((s) => s.name).join(', ')}`);
const missing = optional.filter((o) => !process.env[o.variable]);
for (const o of optional) {
  if (process.env[o.variable]) say(`  on:      ${o.covers} (${o.variable} is set)`);
  else {
    say(`  skipped: ${o.covers}: ${o.variable} is not set.`);
    say(`           To run them: ${o.example}`);
    say(`           (${o.note})`);
  }
}
if (missing.length === 0) say('  Nothing skipped.');
say('  Not part of npm test: the browser tests (npm run test:e2e) and the bench (npm run bench).');

// Ctrl-C reaches the running suite too (same process group); stop there rather than start the next one.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});

const started = performance.now();
const results = [];
for (const suite of suites) {
  if (interrupted) {
    results.push({ ...suite, outcome: 'not run', ms: 0 });
    continue;
  }
  say(`\n== ${suite.name}: ${suite.what}`);
  const t0 = performance.now();
  const code = await run(['run', '--silent', suite.name]);
  results.push({ ...suite, outcome: code === 0 ? 'passed' : 'FAILED', ms: performance.now() - t0 });
}

const width = Math.max('total'.length, ...results.map((r) => r.name.length));
say('\n== Summary');
for (const r of results)
  say(`  ${r.name.padEnd(width)}  ${r.outcome.padEnd(7)}  ${r.outcome === 'not run' ? '' : seconds(r.ms)}`);
say(`  ${'total'.padEnd(width)}  ${''.padEnd(7)}  ${seconds(performance.now() - started)}`);
if (missing.length > 0) say(`  (skipped: the tests that need ${missing.map((o) => o.variable).join(' and ')}; see the top)`);

const failed = results.filter((r) => r.outcome !== 'passed');
if (failed.length > 0) say(`\n${failed.map((r) => r.name).join(', ')} did not pass.`);
process.exit(interrupted ? 130 : failed.length > 0 ? 1 : 0);
