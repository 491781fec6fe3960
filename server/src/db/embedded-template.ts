/**
 * A migrated, empty embedded database made once at build time, copied into a new
 * data folder on the first start. Creating a PGlite database (its initdb) is most of
 * a first start: measured on 2 shared cores, initdb took about 6 s and left the
 * process at about 500 MiB, the migrations 0.2 s, and opening an existing folder
 * 1.5 s at 350 MiB (docs/performance.md, row 6b). A copy of a folder PGlite closed
 * cleanly is what PGlite itself would open on a restart.
 *
 * The template is used only when it was made by the PGlite version installed now
 * (its files are PostgreSQL's on-disk format); otherwise the first start creates the
 * database as before. Migrations newer than the template then apply as usual.
 *
 * This module loads PGlite only to build a template, so `npm start`'s check stays quick.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the build puts the template (server/dist/embedded-template, beside the built server). */
export const TEMPLATE_DIR = path.join(serverDir, 'dist/embedded-template');
const MIGRATIONS_DIR = path.join(serverDir, 'migrations');
const MANIFEST = 'roster-template.json';
/** The same database as one tar, which PGlite loads into memory (the test suites' fresh databases). */
const TAR = 'roster-template.tar';
/** Written last when a data folder is filled from the template: PostgreSQL's mark of a data folder. */
const PG_VERSION = 'PG_VERSION';

/**
 * What the build does beyond migrating; a template of another format is rebuilt. 2: without
 * the cluster's template0 and template1 databases (see `withoutTemplateDatabases`).
 */
const TEMPLATE_FORMAT = 2;

interface Manifest {
  format?: number;
  pglite: string;
  /** A hash of the migration files the template holds: a changed or added migration rebuilds it. */
  migrations: string;
}

/** The installed PGlite's version, from its package.json (not importable: its `exports` leave it out). */
function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
  }
  throw new Error('cannot find the version of @electric-sql/pglite');
}

function migrationsHash(migrationsDir: string): string {
  const hash = createHash('sha256');
  for (const name of fs
    .readdirSync(migrationsDir)
    .filter((n) => n.endsWith('.sql'))
    .sort()) {
    hash
      .update(name)
      .update('\0')
      .update(fs.readFileSync(path.join(migrationsDir, name)))
      .update('\0');
  }
  return hash.digest('hex');
}

function readManifest(templateDir: string): Manifest | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(templateDir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

/** Whether the template exists and matches the installed PGlite and these migrations. */
export function templateIsCurrent(migrationsDir = MIGRATIONS_DIR, templateDir = TEMPLATE_DIR): boolean {
  const manifest = readManifest(templateDir);
  return (
    manifest?.format === TEMPLATE_FORMAT &&
    manifest.pglite === pgliteVersion() &&
    manifest.migrations === migrationsHash(migrationsDir)
  );
}

/**
 * Builds the template unless it is current: a fresh PGlite database in a folder beside
 * it, migrated and closed, then renamed into place (a reader never sees half of one).
 */
export async function buildTemplate(migrationsDir = MIGRATIONS_DIR, templateDir = TEMPLATE_DIR): Promise<boolean> {
  if (templateIsCurrent(migrationsDir, templateDir)) return false;
  const { openDatabase } = await import('./client.js');
  const { migrate } = await import('./migrate.js');
  const draft = `${templateDir}.draft-${process.pid}`;
  fs.rmSync(draft, { recursive: true, force: true });
  const handle = await openDatabase({ databaseUrl: null, dataDir: draft, holder: 'the build', template: null });
  let tar: Blob | undefined;
  try {
    await migrate(handle, migrationsDir);
    await withoutTemplateDatabases(handle.exec);
    tar = await handle.dumpDataDir?.();
  } finally {
    await handle.close();
  }
  if (tar) fs.writeFileSync(path.join(draft, TAR), Buffer.from(await tar.arrayBuffer()));
  const manifest: Manifest = { format: TEMPLATE_FORMAT, pglite: pgliteVersion(), migrations: migrationsHash(migrationsDir) };
  fs.writeFileSync(path.join(draft, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.rmSync(templateDir, { recursive: true, force: true });
  fs.renameSync(draft, templateDir);
  return true;
}

/**
 * Drops the cluster's template0 and template1. They exist for CREATE DATABASE, which
 * nothing does on the embedded database (Roster uses the one database, `postgres`), and
 * they were two thirds of the folder's files: a first start copies the folder, and on
 * this kind of disk a file costs more than its bytes (1,110 files, 0.33 s to copy;
 * 509 without them, 0.14 s). The tests' in-memory databases load a smaller tar too.
 */
async function withoutTemplateDatabases(exec: (sql: string) => Promise<void>): Promise<void> {
  for (const name of ['template0', 'template1']) {
    await exec(`ALTER DATABASE ${name} IS_TEMPLATE false`);
    await exec(`DROP DATABASE ${name}`);
  }
}

/**
 * Fills a data folder that holds no database yet from the template; returns whether it
 * did. PG_VERSION is copied last, so a copy cut short is not taken for a database:
 * the next start sees no PG_VERSION and copies again over it.
 */
export function seedFromTemplate(dataDir: string, templateDir = TEMPLATE_DIR): boolean {
  if (fs.existsSync(path.join(dataDir, PG_VERSION))) return false;
  const manifest = readManifest(templateDir);
  if (!manifest || manifest.pglite !== pgliteVersion() || !fs.existsSync(path.join(templateDir, PG_VERSION))) return false;
  for (const entry of fs.readdirSync(templateDir)) {
    if (entry === PG_VERSION || entry === MANIFEST || entry === TAR) continue;
    fs.cpSync(path.join(templateDir, entry), path.join(dataDir, entry), { recursive: true, force: true });
  }
  fs.copyFileSync(path.join(templateDir, PG_VERSION), path.join(dataDir, PG_VERSION));
  return true;
}

/** The template as a tar for PGlite's `loadDataDir`, when it exists and suits the installed PGlite. */
export function templateTar(templateDir = TEMPLATE_DIR): Blob | null {
  const manifest = readManifest(templateDir);
  const file = path.join(templateDir, TAR);
  if (!manifest || manifest.pglite !== pgliteVersion() || !fs.existsSync(file)) return null;
  return new Blob([fs.readFileSync(file)]);
}
