/**
 * Keyset ("seek") pagination: instead of OFFSET n, which reads and throws away n
 * rows, a page starts strictly after the last row of the previous one, identified
 * by its sort key and id. With an index on (key, id) a page deep in a million
 * rows costs what the first page does.
 */
import { type AnyColumn, type SQL, sql } from 'drizzle-orm';

export interface KeysetOrder {
  /** The sort expression. */
  key: SQL | AnyColumn;
  /** The tie-breaker: unique, compared in the same direction. */
  id: AnyColumn;
  descending: boolean;
  /** Nullable keys sort NULLS LAST ascending and NULLS FIRST descending (PostgreSQL's defaults). */
  nullable: boolean;
  /** How the key's text form is turned back into its type for comparison (e.g. `::timestamptz`). */
  cast?: (value: string) => SQL;
}

/** Position after a row: its sort key (as text, exact) and id. */
export interface KeysetPosition {
  key: string | null;
  id: string;
}

/** The condition "sorts strictly after `after`" in `order`. */
export function afterPosition(order: KeysetOrder, after: KeysetPosition): SQL {
  const { key, id } = order;
  const value = after.key === null ? null : order.cast ? order.cast(after.key) : sql`${after.key}`;
  if (value === null) {
    // A NULL key: the rest of the NULL run by id, then (descending only) every non-NULL key.
    return order.descending
      ? sql`((${key} IS NULL AND ${id} < ${after.id}) OR ${key} IS NOT NULL)`
      : sql`(${key} IS NULL AND ${id} > ${after.id})`;
  }
  // The redundant single-column bound lets the planner start the index scan at the cursor.
  const seek = order.descending
    ? sql`(${key} <= ${value} AND (${key}, ${id}) < (${value}, ${after.id}::uuid))`
    : sql`(${key} >= ${value} AND (${key}, ${id}) > (${value}, ${after.id}::uuid))`;
  // Ascending, the NULL keys come after every non-NULL one.
  return order.nullable && !order.descending ? sql`(${seek} OR ${key} IS NULL)` : seek;
}

/** A timestamptz as exact text (microseconds, UTC), the form positions carry. */
export function timestampText(column: AnyColumn): SQL<string> {
  return sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Text of the form `timestampText` makes and PostgreSQL accepts (a real date, year 1 or later). */
export function isTimestampText(text: string): boolean {
  const match = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\d{3}Z$/.exec(text);
  if (!match || Number(match[1]) < 1) return false;
  const date = new Date(`${text.slice(0, 23)}Z`);
  // Round-tripping rejects dates that do not exist (February 30th), which the cast would refuse.
  return !Number.isNaN(date.getTime()) && date.toISOString() === `${text.slice(0, 23)}Z`;
}

export const asTimestamp = (value: string): SQL => sql`${value}::timestamptz`;
