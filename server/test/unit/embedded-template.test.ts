/**
 * The embedded database template (issue 17, part 4): a new data folder starts from a copy
 * of the migrated empty database the build made, and migrations newer than the template
 * still apply on top; a folder that holds a database is never overwritten, and a template
 * from another PGlite version is not used.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { buildTemplate, seedFromTemplate, templateIsCurrent } from '../../src/db/embedded-template.js';
import { migrate, migrationsDir } from '../../src/db/migrate.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-template-test-'));
const olderMigrations = path.join(scratch, 'older-migrations');
const newerMigrations = path.join(scratch, 'newer-migrations');
const template = path.join(scratch, 'template');
const NEWER = '9999_after_the_template.sql';

beforeAll(async () => {
  // The template holds the real migrations; a later release adds one more.
  fs.cpSync(migrationsDir, olderMigrations, { recursive: true });
  fs.cpSync(migrationsDir, newerMigrations, { recursive: true });
  fs.writeFileSync(path.join(newerMigrations, NEWER), 'CREATE TABLE after_the_template (id integer PRIMARY KEY);\n');
  expect(await buildTemplate(olderMigrations, template)).toBe(true);
}, 180_000);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

async function appliedIn(dataDir: string, migrations: string) {
  const handle = await openDatabase({ databaseUrl: null, dataDir, template });
  try {
    const newlyApplied = await migrate(handle, migrations);
    const result = await handle.db.execute<{ name: string }>(sql`SELECT name FROM schema_migrations ORDER BY name`);
    return { newlyApplied, recorded: (result as unknown as { rows: { name: string }[] }).rows.map((r) => r.name) };
  } finally {
    await handle.close();
  }
}

describe('the embedded database template', () => {
  it('is current for the migrations it was made from, and not once one is added', async () => {
    expect(templateIsCurrent(olderMigrations, template)).toBe(true);
    expect(templateIsCurrent(newerMigrations, template)).toBe(false);
    // Current: building again does nothing.
    expect(await buildTemplate(olderMigrations, template)).toBe(false);
  });

  it("holds the one database Roster uses, without the cluster's template databases, and is rebuilt from an older format", async () => {
    const handle = await openDatabase({ databaseUrl: null, dataDir: null, template });
    try {
      const result = await handle.db.execute<{ datname: string }>(sql`SELECT datname FROM pg_database ORDER BY datname`);
      expect((result as unknown as { rows: { datname: string }[] }).rows.map((r) => r.datname)).toEqual(['postgres']);
    } finally {
      await handle.close();
    }
    const manifestFile = path.join(template, 'roster-template.json');
    const { format, ...older } = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    expect(format).toBe(2);
    fs.writeFileSync(manifestFile, JSON.stringify(older));
    expect(templateIsCurrent(olderMigrations, template)).toBe(false);
    expect(await buildTemplate(olderMigrations, template)).toBe(true);
  }, 180_000);

  it('starts a new data folder from the template, then applies only the migrations newer than it', async () => {
    const dataDir = path.join(scratch, 'first-start');
    fs.mkdirSync(dataDir);
    const { newlyApplied, recorded } = await appliedIn(dataDir, newerMigrations);
    expect(newlyApplied).toEqual([NEWER]);
    expect(recorded).toEqual(fs.readdirSync(newerMigrations).sort());
    // The lock file of the open is gone and the template's own files did not come along.
    expect(fs.existsSync(path.join(dataDir, 'roster-template.json'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'roster-template.tar'))).toBe(false);
  }, 120_000);

  it('never copies over a folder that already holds a database', () => {
    const dataDir = path.join(scratch, 'first-start');
    expect(seedFromTemplate(dataDir, template)).toBe(false);
  });

  it('is not used when another PGlite version made it', () => {
    const manifestFile = path.join(template, 'roster-template.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, pglite: '0.0.1' }));
    const dataDir = path.join(scratch, 'other-version');
    fs.mkdirSync(dataDir);
    expect(seedFromTemplate(dataDir, template)).toBe(false);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  });
});
