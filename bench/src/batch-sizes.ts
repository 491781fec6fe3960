/**
 * How many sign-ins shared each commit (the group commit of issue 17), read from the
 * database itself: the rows one statement inserts carry the same transaction id (xmin),
 * so counting sessions per xmin gives the batch sizes, with no help from the server.
 */
import pg from 'pg';

export interface BatchSizes {
  /** Statements by how many sign-ins each wrote: { "1": 40, "2": 12, … }. */
  histogram: Record<string, number>;
  mean: number;
  statements: number;
  signIns: number;
}

export async function signInBatchSizes(databaseUrl: string, since: Date): Promise<BatchSizes> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ size: number; statements: number }>(
      `SELECT n::int AS size, count(*)::int AS statements
         FROM (SELECT count(*) AS n FROM session WHERE created_at >= $1 GROUP BY xmin::text) AS per_commit
        GROUP BY n ORDER BY n`,
      [since],
    );
    const statements = rows.reduce((sum, r) => sum + r.statements, 0);
    const signIns = rows.reduce((sum, r) => sum + r.size * r.statements, 0);
    return {
      histogram: Object.fromEntries(rows.map((r) => [String(r.size), r.statements])),
      mean: statements > 0 ? signIns / statements : 0,
      statements,
      signIns,
    };
  } finally {
    await client.end();
  }
}

/** "1.8 sign-ins per commit (1: 40, 2: 12, 3: 5)". */
export function describeBatchSizes(sizes: BatchSizes): string {
  const spread = Object.entries(sizes.histogram)
    .map(([size, count]) => `${size}: ${count}`)
    .join(', ');
  return `${sizes.mean.toFixed(2)} sign-ins per commit (${spread})`;
}
