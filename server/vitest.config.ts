import { defineConfig } from 'vitest/config';

/**
 * Three projects: unit tests; the API suite on the embedded PGlite; and, when
 * TEST_DATABASE_URL is set (CI sets it), the same API suite on a real PostgreSQL.
 */
const apiOnPostgres = process.env.TEST_DATABASE_URL
  ? [
      {
        extends: true as const,
        test: { name: 'api-postgres', include: ['test/api/**/*.test.ts'], env: { ROSTER_TEST_DB: 'postgres' } },
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
      ...apiOnPostgres,
    ],
  },
});
