/**
 * How many sign-ins (or refreshes) shared each commit (the group commit of issue 17), read
 * from the database itself: the rows one statement writes carry the same transaction id
 * (xmin), so counting sessions per xmin gives the batch sizes, with no help from the server.
 */
import pg from 'pg';

export interface BatchSizes {
  /** Statements by how many sign-ins (refreshes) each wrote: { "1": 40, "2": 12, … }. */
  histogram: Record<string, number>;
  mean: number;
  statements: number;
  /** Sign-ins (refreshes) counted. */
  requests: number;
}

export function signInBatchSizes(databaseUrl: string, since: Date): Promise<BatchSizes> {
  return batchSizes(databaseUrl, 'SELECT count(*) AS n FROM session WHERE created_at >= $1 GROUP BY xmin::text', since);
}

/**
 * How many refreshes shared each commit: a refresh marks its token used, so the tokens used since
 * `since` carry the transaction id of the statement that used them (a later use within the grace
 * window keeps the first use's time and does not write the row again).
 */
export function refreshBatchSizes(databaseUrl: string, since: Date): Promise<BatchSizes> {
  return batchSizes(databaseUrl, 'SELECT count(*) AS n FROM refresh_token WHERE used_at >= $1 GROUP BY xmin::text', since);
}

/** `perCommit` counts the rows of each transaction id (one row per grouped request). */
async function batchSizes(databaseUrl: string, perCommit: string, since: Date): Promise<BatchSizes> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ size: number; statements: number }>(
      `SELECT n::int AS size, count(*)::int AS statements FROM (${perCommit}) AS per_commit GROUP BY n ORDER BY n`,
      [since],
    );
    const statements = rows.reduce((sum, r) => sum + r.statements, 0);
    const requests = rows.reduce((sum, r) => sum + r.size * r.statements, 0);
    return {
      histogram: Object.fromEntries(rows.map((r) => [String(r.size), r.statements])),
      mean: statements > 0 ? requests / statements : 0,
      statements,
      requests,
    };
  } finally {
    await client.end();
  }
}

/** "1.8 sign-ins per commit (1: 40, 2: 12, 3: 5)". */
export function describeBatchSizes(sizes: BatchSizes, what = 'sign-ins'): string {
  const spread = Object.entries(sizes.histogram)
    .map(([size, count]) => `${size}: ${count}`)
    .join(', ');
  return `${sizes.mean.toFixed(2)} ${what} per commit (${spread})`;
}
