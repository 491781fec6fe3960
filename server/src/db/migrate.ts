/**
 * Applies the committed SQL migrations in order, each in its own transaction,
 * under an advisory lock so that two processes starting at once do not race.
 * Applied migrations are recorded by file name in `schema_migrations`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { DbHandle } from './client.js';
import { completeEmailNormalForms } from './email-normal-forms.js';

export const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

const EMAIL_NORMAL_FORM_MIGRATION = '0008_email_normal_form.sql';

/** An arbitrary constant that names Roster's migration lock among the cluster's advisory locks. */
const MIGRATION_LOCK_KEY = 727_274_001;

export async function migrate(handle: DbHandle, dir = migrationsDir): Promise<string[]> {
  const files = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  return handle.withAdvisoryLock(MIGRATION_LOCK_KEY, async () => {
    await handle.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set(await appliedMigrations(handle));
    const newlyApplied: string[] = [];
    for (const name of files) {
      if (applied.has(name)) continue;
      const body = fs.readFileSync(path.join(dir, name), 'utf8').replaceAll('--> statement-breakpoint', '');
      const quotedName = name.replaceAll("'", "''");
      // One simple-protocol query runs as one implicit transaction: the migration
      // and its record land together or not at all.
      await handle.exec(`${body}\n;INSERT INTO schema_migrations (name) VALUES ('${quotedName}');`);
      newlyApplied.push(name);
    }
    // Migration 0008's rows that only JavaScript can normalise (a no-op before 0008 exists).
    if (files.includes(EMAIL_NORMAL_FORM_MIGRATION)) await completeEmailNormalForms(handle.db);
    return newlyApplied;
  });
}

async function appliedMigrations(handle: DbHandle): Promise<string[]> {
  const result = await handle.db.execute<{ name: string }>(sql`SELECT name FROM schema_migrations`);
  return (result as unknown as { rows: { name: string }[] }).rows.map((row) => row.name);
}
