import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Projects: unit tests; the API suite on the embedded PGlite; and, when TEST_DATABASE_URL is set
 * (CI sets it), the API suite on a real PostgreSQL too: every behaviour on both databases. The CLI
 * suite runs on PostgreSQL when it is named, else on PGlite.
 */
/**
 * CLI tests run several real processes each (well under a second apiece on an idle machine, but
 * a test of ten commands took over two minutes on a 2-core machine shared by a dozen busy
 * processes): the timeout only catches a hang, so it is generous.
 */
const CLI_TIMEOUT = 300_000;
/**
 * The API and CLI suites spawn the build (dist/, brought up to date once per run) for their
 * child processes; the CLI suite on PGlite copies one migrated data folder made once per run.
 */
const BUILD = './test/setup/build-server.ts';
const PRISTINE = './test/setup/cli-pristine.ts';

const onPostgres = process.env.TEST_DATABASE_URL
  ? [
      {
        extends: true as const,
        test: {
          name: 'api-postgres',
          include: ['test/api/**/*.test.ts'],
          env: { ROSTER_TEST_DB: 'postgres' },
          globalSetup: [BUILD],
        },
      },
      {
        extends: true as const,
        test: {
          name: 'cli-postgres',
          include: ['test/cli/**/*.test.ts'],
          env: { ROSTER_TEST_DB: 'postgres' },
          globalSetup: [BUILD],
          testTimeout: CLI_TIMEOUT,
          hookTimeout: CLI_TIMEOUT,
        },
      },
    ]
  : [];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default (one worker per core but one) is a single worker on a 2-core machine; the
    // files share no state (each has its own database, port and Redis prefix), and much of
    // their time goes to waiting on child processes, so two run side by side even there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'api-pglite',
          include: ['test/api/**/*.test.ts'],
          env: { ROSTER_TEST_DB: 'pglite' },
          globalSetup: [BUILD],
        },
      },
      // The CLI suite runs on one database: PostgreSQL when it is named, else PGlite. Its code is the
      // same on both (the embedded database's own behaviour is the API suite's, on PGlite always), and
      // each of its commands starts a process that opens the database: on PGlite that made it the
      // slowest part of CI (9.5 min of worker time of 26 on 2 cores, against 3 on PostgreSQL).
      ...(process.env.TEST_DATABASE_URL
        ? []
        : [
            {
              extends: true as const,
              test: {
                name: 'cli-pglite',
                include: ['test/cli/**/*.test.ts'],
                env: { ROSTER_TEST_DB: 'pglite' },
                globalSetup: [BUILD, PRISTINE],
                testTimeout: CLI_TIMEOUT,
                hookTimeout: CLI_TIMEOUT,
              },
            },
          ]),
      ...onPostgres,
    ],
  },
});
