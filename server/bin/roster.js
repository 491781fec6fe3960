#!/usr/bin/env node
// The `roster` command. In a checkout with the dev dependencies installed it runs the
// TypeScript source through tsx, so it never runs a stale build; where tsx is absent
// (a production install) it runs the build in dist/ (`npm run build`).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/cli/main.js', import.meta.url);

async function tsxAvailable() {
  if (!existsSync(source)) return false;
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch {
    return false;
  }
}

if (await tsxAvailable()) await import(source.href);
else if (existsSync(built)) await import(built.href);
else {
  process.stderr.write('roster: not built yet: run `npm run build` first\n');
  process.exit(1);
}
