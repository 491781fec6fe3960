/**
 * Prepared statements for the queries on every request's path (who is calling,
 * who is logging in, how many users there are): parsed and planned once per
 * connection instead of on every call. One set per database handle.
 */
import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { asTimestamp, isTimestampText, type KeysetOrder, timestampText } from '../db/keyset.js';
import { userCount, users } from '../db/schema.js';

function prepare(db: Database) {
  return {
    byId: db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare('roster_user_by_id'),
    /** By normal form (normalizeEmail): the account that holds the address, not an older duplicate of it. */
    byNormalizedEmail: db
      .select()
      .from(users)
      .where(and(eq(users.emailNormalized, sql.placeholder('normalized')), eq(users.emailDuplicateRank, 0)))
      .prepare('roster_user_by_normalized_email'),
    total: db.select({ value: userCount.users }).from(userCount).prepare('roster_user_total'),
  };
}

const prepared = new WeakMap<Database, ReturnType<typeof prepare>>();

export function userQueries(db: Database): ReturnType<typeof prepare> {
  let queries = prepared.get(db);
  if (!queries) {
    queries = prepare(db);
    prepared.set(db, queries);
  }
  return queries;
}

export type UserSortField = 'created_at' | 'email' | 'full_name';

export interface UserSort {
  keyset: KeysetOrder;
  /** The ORDER BY clause: the key, then the id, both in the same direction. */
  orderBy: SQL[];
  /** The key of each row as exact text, for the next page's cursor. */
  keyText: SQL<string | null>;
  /** What a cursor's key must look like for this field. */
  validKey?: (key: string) => boolean;
}

/** How each `order_by` sorts, pages by keyset and names its cursor key. */
export function userSort(field: UserSortField, descending: boolean): UserSort {
  const direction = descending ? desc : asc;
  if (field === 'created_at') {
    return {
      keyset: { key: users.createdAt, id: users.id, descending, nullable: false, cast: asTimestamp },
      orderBy: [direction(users.createdAt), direction(users.id)],
      keyText: timestampText(users.createdAt),
      validKey: isTimestampText,
    };
  }
  if (field === 'email') {
    // By normal form, as addresses compare: the unique index on it serves the order (ties are
    // only the rare duplicates that migration 0008 kept). Never NULL once migrate() has run.
    return {
      keyset: { key: users.emailNormalized, id: users.id, descending, nullable: false },
      orderBy: [direction(users.emailNormalized), direction(users.id)],
      keyText: sql<string>`${users.emailNormalized}`,
    };
  }
  return {
    keyset: { key: users.fullName, id: users.id, descending, nullable: true },
    orderBy: [direction(users.fullName), direction(users.id)],
    keyText: sql<string | null>`${users.fullName}`,
  };
}
