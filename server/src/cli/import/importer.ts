/**
 * Streams users into the database in batches. Every batch is COPYed into a
 * staging table and moved over with one INSERT … SELECT … ON CONFLICT DO NOTHING,
 * so an existing email (or id) skips that user instead of failing the batch; the
 * users that did not go in come back with the reason. The whole import is one
 * transaction: an aborted or killed import leaves nothing behind, and a dry run
 * is the same work rolled back.
 */
import { randomUUID } from 'node:crypto';
import type { PasswordHasher } from '../../auth/passwords.js';
import type { DbHandle } from '../../db/client.js';
import { normalizeEmail } from '../../users/email-address.js';
import { type BulkSession, copyLine, withBulkSession } from '../bulk.js';
import { OperationError } from '../errors.js';
import type { Progress } from '../progress.js';
import { checkUserRecord, NO_PASSWORD, type UserRecord } from '../records.js';

/** One record as a source yields it, or the reason it could not be read. */
export interface SourceRow {
  line: number;
  record?: unknown;
  problem?: string;
}

export interface ImportSource {
  rows: AsyncIterable<SourceRow>;
  /** How a position is named in messages: "line" in a file, "row" in a table. */
  unit: string;
  /** CSV cells are text: booleans and items are parsed from it. */
  fromText: boolean;
  /** How far the source has been read, in the unit of the progress total. */
  position(): number;
}

export interface ImportOptions {
  dryRun: boolean;
  skipInvalid: boolean;
  /** Told of each bad record that was skipped (with --skip-invalid). */
  onInvalid(line: number, problem: string): void;
  progress: Progress;
  /** Runs last, in the import's transaction (the audit record). */
  afterImport?(session: BulkSession, report: ImportReport): Promise<void>;
}

export interface Skipped {
  line: number;
  email: string;
  reason: string;
}

export interface ImportReport {
  read: number;
  imported: number;
  items: number;
  invalid: number;
  skipped: number;
  /** The first few skipped users, for the summary. */
  skippedExamples: Skipped[];
  withoutPassword: number;
}

const BATCH_SIZE = 10_000;
const EXAMPLES = 20;

const USER_COLUMNS = [
  'line',
  'id',
  'email',
  'email_normalized',
  'hashed_password',
  'full_name',
  'is_active',
  'is_superuser',
  'is_verified',
  'created_at',
] as const;
const ITEM_COLUMNS = ['id', 'owner_id', 'title', 'description', 'created_at'] as const;

const CREATE_STAGING = [
  `CREATE TEMP TABLE roster_import_user (
    line bigint NOT NULL, id uuid NOT NULL, email text NOT NULL, email_normalized text NOT NULL,
    hashed_password text NOT NULL, full_name text,
    is_active boolean NOT NULL, is_superuser boolean NOT NULL, is_verified boolean NOT NULL, created_at timestamptz
  ) ON COMMIT DROP`,
  `CREATE TEMP TABLE roster_import_item (
    id uuid, owner_id uuid NOT NULL, title text NOT NULL, description text, created_at timestamptz
  ) ON COMMIT DROP`,
];

/**
 * Moves one staged batch. The final SELECT sees the snapshot from before the
 * INSERTs, so `email_taken` tells an existing email from an existing id. Items go
 * in only for users that did.
 */
const MOVE_BATCH = `
  WITH inserted AS (
    INSERT INTO "user" (id, email, email_normalized, hashed_password, full_name, is_active, is_superuser, is_verified, created_at)
    SELECT id, email, email_normalized, hashed_password, full_name, is_active, is_superuser, is_verified, coalesce(created_at, now())
    FROM roster_import_user ORDER BY line
    ON CONFLICT DO NOTHING
    RETURNING id
  ), inserted_items AS (
    INSERT INTO item (id, owner_id, title, description, created_at)
    SELECT coalesce(i.id, gen_random_uuid()), i.owner_id, i.title, i.description, coalesce(i.created_at, now())
    FROM roster_import_item i JOIN inserted u ON u.id = i.owner_id
    ON CONFLICT DO NOTHING
    RETURNING 1
  )
  SELECT
    (SELECT count(*) FROM inserted)::int AS users,
    (SELECT count(*) FROM inserted_items)::int AS items,
    (SELECT coalesce(json_agg(json_build_object(
        'line', s.line, 'email', s.email,
        'email_taken', EXISTS (SELECT 1 FROM "user" t WHERE t.email_normalized = s.email_normalized)
      ) ORDER BY s.line), '[]'::json)
      FROM roster_import_user s WHERE NOT EXISTS (SELECT 1 FROM inserted n WHERE n.id = s.id)) AS skipped`;

interface StagedUser {
  line: number;
  id: string;
  user: UserRecord;
}

export async function importUsers(
  database: DbHandle,
  hasher: PasswordHasher,
  source: ImportSource,
  options: ImportOptions,
): Promise<ImportReport> {
  const report: ImportReport = {
    read: 0,
    imported: 0,
    items: 0,
    invalid: 0,
    skipped: 0,
    skippedExamples: [],
    withoutPassword: 0,
  };
  return withBulkSession(database, { rollback: options.dryRun }, async (session) => {
    for (const statement of CREATE_STAGING) await session.query(statement);
    const batch = new Batch(report, source.unit);
    // One batch is written while the next is read and checked.
    let writing: Promise<void> = Promise.resolve();
    const startWrite = (staged: StagedUser[]) => {
      writing = writeBatch(session, hasher, staged, report).then(() =>
        options.progress.update(source.position(), report.imported),
      );
      writing.catch(() => {}); // awaited below; this only keeps Node from calling it unhandled meanwhile
    };
    for await (const row of source.rows) {
      report.read++;
      const checked = row.problem
        ? ({ ok: false, problem: row.problem } as const)
        : checkUserRecord(row.record, { fromText: source.fromText });
      if (!checked.ok) {
        if (!options.skipInvalid) {
          throw new OperationError(
            `${source.unit} ${row.line}: ${checked.problem}. Nothing was imported (--skip-invalid imports the valid ${source.unit}s).`,
          );
        }
        report.invalid++;
        options.onInvalid(row.line, checked.problem);
        continue;
      }
      batch.add(row.line, checked.value);
      if (batch.size >= BATCH_SIZE) {
        await writing;
        startWrite(batch.take());
      }
    }
    await writing;
    if (batch.size > 0) startWrite(batch.take());
    await writing;
    await options.afterImport?.(session, report);
    return report;
  });
}

/** Collects users for one write and skips duplicates within it (later lines lose). */
class Batch {
  private users: StagedUser[] = [];
  private emails = new Map<string, number>();
  private ids = new Set<string>();

  constructor(
    private readonly report: ImportReport,
    private readonly unit: string,
  ) {}

  get size(): number {
    return this.users.length;
  }

  add(line: number, user: UserRecord): void {
    const key = normalizeEmail(user.email);
    const earlier = this.emails.get(key);
    const reason =
      earlier !== undefined
        ? `same email as ${this.unit} ${earlier}`
        : user.id && this.ids.has(user.id)
          ? `id used by an earlier ${this.unit}`
          : null;
    if (reason) {
      skip(this.report, { line, email: user.email, reason });
      return;
    }
    const id = user.id ?? randomUUID();
    this.emails.set(key, line);
    this.ids.add(id);
    this.users.push({ line, id, user });
  }

  take(): StagedUser[] {
    const taken = this.users;
    this.users = [];
    this.emails.clear();
    this.ids.clear();
    return taken;
  }
}

function skip(report: ImportReport, skipped: Skipped): void {
  report.skipped++;
  if (report.skippedExamples.length < EXAMPLES) report.skippedExamples.push(skipped);
}

async function writeBatch(session: BulkSession, hasher: PasswordHasher, staged: StagedUser[], report: ImportReport) {
  // Argon2 runs on libuv's thread pool: hashing the batch's plain passwords in parallel keeps the event loop free.
  const hashes = await Promise.all(
    staged.map(({ user }) => (user.password !== null ? hasher.hash(user.password) : (user.hashedPassword ?? NO_PASSWORD))),
  );
  let userLines = '';
  let itemLines = '';
  staged.forEach(({ line, id, user }, index) => {
    const hash = hashes[index] as string;
    userLines += copyLine([
      String(line),
      id,
      user.email,
      normalizeEmail(user.email),
      hash,
      user.fullName,
      user.isActive,
      user.isSuperuser,
      user.isVerified,
      user.createdAt,
    ]);
    for (const item of user.items) itemLines += copyLine([item.id, id, item.title, item.description, item.createdAt]);
  });
  await session.copyIn('roster_import_user', USER_COLUMNS, userLines);
  if (itemLines) await session.copyIn('roster_import_item', ITEM_COLUMNS, itemLines);
  const [moved] = await session.query<{
    users: number;
    items: number;
    skipped: { line: number; email: string; email_taken: boolean }[];
  }>(MOVE_BATCH);
  await session.query('TRUNCATE roster_import_user, roster_import_item');
  if (!moved) throw new Error('the import statement returned no row');
  report.imported += moved.users;
  report.items += moved.items;
  const skippedLines = new Set<number>();
  for (const s of moved.skipped) {
    skippedLines.add(Number(s.line));
    skip(report, { line: Number(s.line), email: s.email, reason: s.email_taken ? 'email already taken' : 'id already taken' });
  }
  report.withoutPassword += staged.filter(
    ({ line, user }) => user.password === null && user.hashedPassword === null && !skippedLines.has(line),
  ).length;
}
