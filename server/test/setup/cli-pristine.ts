/**
 * Vitest global setup for the CLI suite on PGlite: one empty, migrated data folder for the
 * whole run, which each test file copies for every fresh database. Creating a PGlite
 * database costs seconds of CPU; a copy, a blink.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder to copy for a fresh PGlite database (never opened by a test itself). */
    cliPristineDataDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-cli-pristine-'));
  const handle = await openDatabase({ databaseUrl: null, dataDir: dir });
  await migrate(handle);
  await handle.close();
  project.provide('cliPristineDataDir', dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
