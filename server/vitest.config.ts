import { defineConfig } from 'vitest/config';

/**
 * Projects: unit tests; the API suite and the CLI suite on the embedded PGlite;
 * and, when TEST_DATABASE_URL is set (CI sets it), both suites on a real PostgreSQL.
 */
/** CLI tests run several real processes each (about a second apiece on an idle machine). */
const CLI_TIMEOUT = 120_000;

const onPostgres = process.env.TEST_DATABASE_URL
  ? [
      {
        extends: true as const,
        test: { name: 'api-postgres', include: ['test/api/**/*.test.ts'], env: { ROSTER_TEST_DB: 'postgres' } },
      },
      {
        extends: true as const,
        test: {
          name: 'cli-postgres',
          include: ['test/cli/**/*.test.ts'],
          env: { ROSTER_TEST_DB: 'postgres' },
          testTimeout: CLI_TIMEOUT,
        },
      },
    ]
  : [];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'api-pglite', include: ['test/api/**/*.test.ts'], env: { ROSTER_TEST_DB: 'pglite' } } },
      {
        extends: true,
        test: {
          name: 'cli-pglite',
          include: ['test/cli/**/*.test.ts'],
          env: { ROSTER_TEST_DB: 'pglite' },
          testTimeout: CLI_TIMEOUT,
        },
      },
      ...onPostgres,
    ],
  },
});
