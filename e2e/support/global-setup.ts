// One Roster server for the whole suite (tests isolate themselves with fresh users), so the
// suite pays the build and the server start once.
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildIfNeeded, resultsDir, startServer } from './server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

export default async function setup(project: TestProject) {
  // Screenshots and traces left by an earlier run would be mistaken for this run's failures.
  rmSync(resultsDir, { recursive: true, force: true });
  // E2E_BASE_URL: run against a server you started yourself (it must be ENVIRONMENT=local).
  const external = process.env.E2E_BASE_URL;
  if (external) {
    project.provide('baseURL', external.replace(/\/$/, ''));
    return;
  }
  buildIfNeeded();
  const server = await startServer();
  project.provide('baseURL', server.url);
  return () => server.stop();
}
