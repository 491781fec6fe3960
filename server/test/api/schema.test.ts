import { sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../src/db/schema.js';
import { freshDatabase, type TestDatabase } from '../helpers/database.js';

// The SQL migrations build the database; src/db/schema.ts describes it to the queries.
// This keeps the two from drifting apart.
let database: TestDatabase;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => database.drop());

const tables = Object.values(schema).filter(
  (value) => typeof value === 'object' && value !== null && Symbol.for('drizzle:IsDrizzleTable') in value,
);

describe('migrations match src/db/schema.ts', () => {
  it.each(tables.map((table) => [getTableConfig(table as never).name, table] as const))(
    'table %s has the same columns, types and nullability',
    async (name, table) => {
      const config = getTableConfig(table as never);
      const result = await database.handle.db.execute<{ column_name: string; is_nullable: string; udt_name: string }>(
        sql`SELECT column_name, is_nullable, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${name} ORDER BY column_name`,
      );
      const rows = (result as unknown as { rows: { column_name: string; is_nullable: string; udt_name: string }[] }).rows;
      const inDatabase = rows.map((r) => `${r.column_name}:${r.udt_name}:${r.is_nullable === 'NO' ? 'not null' : 'null'}`);
      const inSchema = config.columns
        .map((c) => `${c.name}:${udtName(c.getSQLType())}:${c.notNull ? 'not null' : 'null'}`)
        .sort();
      expect(inDatabase).toEqual(inSchema);
    },
  );
});

describe('indexes match src/db/schema.ts', () => {
  it.each(tables.map((table) => [getTableConfig(table as never).name, table] as const))(
    'table %s has the same indexes (constraints aside)',
    async (name, table) => {
      const config = getTableConfig(table as never);
      const result = await database.handle.db.execute<{ indexname: string }>(
        sql`SELECT i.indexname FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = ${name}
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            ORDER BY i.indexname`,
      );
      const inDatabase = (result as unknown as { rows: { indexname: string }[] }).rows.map((r) => r.indexname);
      const inSchema = config.indexes.map((index) => index.config.name).sort();
      expect(inDatabase).toEqual(inSchema);
    },
  );

  it('the email normal form is unique per rank: the index migration 0008 builds', async () => {
    const result = await database.handle.db.execute<{ indexdef: string }>(
      sql`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'user_email_normalized_key'`,
    );
    const [row] = (result as unknown as { rows: { indexdef: string }[] }).rows;
    expect(row?.indexdef).toMatch(
      /^CREATE UNIQUE INDEX user_email_normalized_key ON .*\(email_normalized, email_duplicate_rank\)$/,
    );
  });
});

function udtName(sqlType: string): string {
  const base = sqlType.replace(/\(.*\)/, '').trim();
  return (
    (
      {
        'timestamp with time zone': 'timestamptz',
        varchar: 'varchar',
        boolean: 'bool',
        integer: 'int4',
        bigint: 'int8',
        bigserial: 'int8',
        'text[]': '_text',
        smallint: 'int2',
        'double precision': 'float8',
      } as Record<string, string>
    )[base] ?? base
  );
}
