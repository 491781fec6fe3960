/**
 * Reading a full-stack FastAPI template database directly: its `user` table
 * (id, email, hashed_password, full_name, is_active, is_superuser, and created_at
 * in newer versions) and its `item` table (id, title, description, owner_id,
 * created_at). Rows come through a server-side cursor in one read-only snapshot,
 * so the source is never loaded whole and never changed.
 */
import pg from 'pg';
import { OperationError, UsageError } from '../errors.js';
import { groupByOwner } from '../group.js';
import type { ImportSource, SourceRow } from './importer.js';

const PAGE = 5_000;
const USER_COLUMNS = ['id', 'email', 'hashed_password', 'full_name', 'is_active', 'is_superuser'];
const ITEM_COLUMNS = ['id', 'title', 'description', 'owner_id'];

export interface TemplateDatabase {
  source: ImportSource;
  /** How many users the template holds (for the progress bar). */
  userCount: number;
  close(): Promise<void>;
}

export async function openTemplate(url: string): Promise<TemplateDatabase> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError('--from-template takes a PostgreSQL URL like postgres://user:password@host:5432/app');
  }
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new OperationError(
      `cannot connect to the template database: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const userColumns = await columnsOf(client, 'user');
    requireColumns('user', userColumns, USER_COLUMNS);
    const itemColumns = await columnsOf(client, 'item');
    if (itemColumns.size > 0) requireColumns('item', itemColumns, ITEM_COLUMNS);
    const [counted] = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM "user"')).rows;
    let position = 0;
    return {
      userCount: counted?.n ?? 0,
      source: {
        rows: templateRows(client, userColumns.has('created_at'), itemColumns, (n) => (position = n)),
        unit: 'row',
        fromText: false,
        position: () => position,
      },
      close: async () => {
        await client.query('ROLLBACK').catch(() => {});
        await client.end();
      },
    };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

async function columnsOf(client: pg.Client, table: string): Promise<Set<string>> {
  const result = await client.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
    [table],
  );
  return new Set(result.rows.map((row) => row.column_name));
}

function requireColumns(table: string, present: Set<string>, required: string[]): void {
  if (present.size === 0) throw new OperationError(`the template database has no "${table}" table`);
  const missing = required.filter((column) => !present.has(column));
  if (missing.length > 0) {
    throw new OperationError(`the template's "${table}" table has no ${missing.map((c) => `"${c}"`).join(', ')} column`);
  }
}

/** Timestamps as ISO 8601 text with microseconds and offset, exactly as stored. */
const isoText = (column: string) => `to_json(${column}) #>> '{}'`;

async function* templateRows(
  client: pg.Client,
  usersHaveCreatedAt: boolean,
  itemColumns: Set<string>,
  advance: (rows: number) => void,
): AsyncGenerator<SourceRow> {
  const createdAt = usersHaveCreatedAt ? isoText('created_at') : 'NULL';
  await client.query(
    `DECLARE template_users NO SCROLL CURSOR FOR
     SELECT id::text, email, hashed_password, full_name, is_active, is_superuser, ${createdAt} AS created_at
     FROM "user" ORDER BY ${usersHaveCreatedAt ? 'created_at NULLS FIRST, ' : ''}id`,
  );
  let row = 0;
  for (;;) {
    const page = (await client.query(`FETCH ${PAGE} FROM template_users`)).rows as Record<string, unknown>[];
    if (page.length === 0) return;
    const items = itemColumns.size > 0 ? await itemsOf(client, page, itemColumns.has('created_at')) : new Map();
    for (const user of page) {
      row++;
      yield { line: row, record: { ...user, is_verified: false, items: items.get(user.id) ?? [] } };
    }
    advance(row);
  }
}

async function itemsOf(client: pg.Client, users: Record<string, unknown>[], withCreatedAt: boolean) {
  const result = await client.query<Record<string, unknown> & { owner_id: string }>(
    `SELECT id::text, title, description, owner_id::text, ${withCreatedAt ? isoText('created_at') : 'NULL'} AS created_at
     FROM item WHERE owner_id = ANY($1::uuid[]) ORDER BY owner_id, ${withCreatedAt ? 'created_at, ' : ''}id`,
    [users.map((user) => user.id)],
  );
  return groupByOwner(result.rows);
}
