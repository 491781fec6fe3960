// `npm start`, before the server starts: check the settings and the data folder first
// (a mistake answers at once, not after a build), then build only what is stale.
// The server itself then starts from server/dist (see the root package.json).
import { spawnSync } from 'node:child_process';
import { existsSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCurrent } from '../server/bin/freshness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...parts) => path.join(root, ...parts);

const builds = [
  {
    name: 'the web app',
    workspace: 'web',
    output: at('web/dist'),
    stamp: at('web/dist/index.html'),
    inputs: ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((p) => at('web', p)),
  },
  {
    name: 'the server',
    workspace: 'server',
    output: at('server/dist'),
    stamp: at('server/dist/.tsbuildinfo'),
    inputs: ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => at('server', p)),
  },
];
const server = builds[1];

/** The settings and data-folder modules: from the build when current (faster), else the source through tsx. */
async function serverModules() {
  if (isCurrent(server.output, server.inputs)) {
    return {
      config: await import(at('server/dist/config.js')),
      lock: await import(at('server/dist/db/data-folder-lock.js')),
    };
  }
  const { register } = await import('tsx/esm/api');
  register();
  return {
    config: await import(at('server/src/config.ts')),
    lock: await import(at('server/src/db/data-folder-lock.ts')),
  };
}

function refuse(lines) {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

const { config: settings, lock } = await serverModules();
let config;
try {
  ({ config } = settings.loadConfig(settings.readSources(), { useLocalDefaults: true }));
} catch (error) {
  if (error instanceof settings.ConfigError) refuse(error.problems.map((problem) => `roster: ${problem}`));
  throw error;
}
if (!config.databaseUrl) {
  try {
    lock.assertDataFolderFree(config.dataDir);
  } catch (error) {
    if (error instanceof lock.DataFolderInUseError) refuse([error.message]);
    throw error;
  }
}

for (const build of builds) {
  if (isCurrent(build.output, build.inputs)) continue;
  const why = existsSync(build.stamp) ? 'changed since its last build' : 'not built yet';
  process.stderr.write(`npm start: building ${build.name} (${why})…\n`);
  const result = spawnSync('npm', ['run', '--silent', 'build', '--workspace', build.workspace], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) refuse([`npm start: building ${build.name} failed.`]);
  // An incremental build with nothing to emit leaves the output's times as they were: mark it current.
  const now = new Date();
  if (existsSync(build.stamp)) utimesSync(build.stamp, now, now);
}
