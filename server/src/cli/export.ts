/**
 * `roster export`: every user (and their items with --items) as JSON Lines or
 * CSV, in the shape `import` reads back. Users are read through a server-side
 * cursor in one consistent snapshot, a page at a time, and written with
 * backpressure, so memory stays flat however many users there are.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { type BulkSession, withBulkSession } from './bulk.js';
import { withContext } from './context.js';
import { count } from './counts.js';
import { OperationError, UsageError } from './errors.js';
import { groupByOwner } from './group.js';
import { type FileFormat, FORMATS } from './import/files.js';
import { NO_PASSWORD } from './records.js';
import { note, type Terminal } from './terminal.js';

export interface ExportOptions {
  format?: string;
  withHashes?: boolean;
  items?: boolean;
  output?: string;
}

const PAGE = 5_000;
const isoText = (column: string) => `to_json(${column}) #>> '{}'`;

interface ExportedUser {
  id: string;
  email: string;
  full_name: string | null;
  is_active: boolean;
  is_superuser: boolean;
  is_verified: boolean;
  created_at: string;
  hashed_password?: string | null;
  items?: unknown[];
}

export async function exportCommand(terminal: Terminal, options: ExportOptions): Promise<void> {
  const format = exportFormat(options);
  const columns = ['id', 'email', 'full_name', 'is_active', 'is_superuser', 'is_verified', 'created_at'];
  if (options.withHashes) columns.push('hashed_password');
  if (options.items) columns.push('items');
  const output = openOutput(terminal, options.output);
  try {
    const counts = await withContext(terminal, (ctx) =>
      withBulkSession(ctx.database, { snapshot: true }, (session) =>
        writeUsers(session, options, async (users, first) => output.write(encode(format, columns, users, first))),
      ),
    );
    await output.finish();
    const items = options.items ? ` and ${count(counts.items, 'item')}` : '';
    note(terminal, `Exported ${count(counts.users, 'user')}${items}${options.output ? ` to ${options.output}` : ''}.`);
  } catch (error) {
    output.abandon();
    throw error;
  }
}

function exportFormat(options: ExportOptions): FileFormat {
  if (options.format === undefined) return options.output?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
  if ((FORMATS as readonly string[]).includes(options.format)) return options.format as FileFormat;
  throw new UsageError(`unknown format "${options.format}": use jsonl or csv`);
}

async function writeUsers(
  session: BulkSession,
  options: ExportOptions,
  write: (users: ExportedUser[], first: boolean) => Promise<void>,
): Promise<{ users: number; items: number }> {
  const hash = options.withHashes ? ', hashed_password' : '';
  await session.query(
    `DECLARE roster_export NO SCROLL CURSOR FOR
     SELECT id::text, email, full_name, is_active, is_superuser, is_verified, ${isoText('created_at')} AS created_at${hash}
     FROM "user" ORDER BY created_at, id`,
  );
  const counts = { users: 0, items: 0 };
  for (let first = true; ; first = false) {
    const users = await session.query<ExportedUser>(`FETCH ${PAGE} FROM roster_export`);
    for (const user of users) {
      if (user.hashed_password === NO_PASSWORD) user.hashed_password = null;
    }
    if (options.items && users.length > 0) {
      const byOwner = groupByOwner(
        await session.query<{ owner_id: string }>(
          `SELECT id::text, owner_id::text, title, description, ${isoText('created_at')} AS created_at
           FROM item WHERE owner_id = ANY($1::uuid[]) ORDER BY owner_id, created_at, id`,
          [users.map((user) => user.id)],
        ),
      );
      for (const user of users) {
        user.items = byOwner.get(user.id) ?? [];
        counts.items += user.items.length;
      }
    }
    counts.users += users.length;
    // The first page is written even when empty: a CSV export of no users still has its header.
    if (first || users.length > 0) await write(users, first);
    if (users.length < PAGE) return counts;
  }
}

function encode(format: FileFormat, columns: string[], users: ExportedUser[], first: boolean): string {
  if (format === 'jsonl') return users.map((user) => `${JSON.stringify(user)}\n`).join('');
  return stringify(users, {
    header: first,
    columns,
    cast: {
      boolean: (value) => (value ? 'true' : 'false'),
      object: (value) => JSON.stringify(value),
    },
  });
}

interface Output {
  write(text: string): Promise<void>;
  finish(): Promise<void>;
  /** Removes a half-written file after a failure. */
  abandon(): void;
}

/**
 * Stdout, or a file written under a temporary name and renamed when complete, so
 * a failed export never leaves a truncated file that looks whole. The file is
 * readable by its owner only: it may hold password hashes.
 */
function openOutput(terminal: Terminal, file: string | undefined): Output {
  const partial = file ? `${file}.partial-${process.pid}` : null;
  let stream: NodeJS.WritableStream;
  try {
    stream = partial ? fs.createWriteStream(partial, { mode: 0o600, flags: 'wx' }) : terminal.stdout;
  } catch (error) {
    throw new OperationError(`cannot write ${file}: ${String(error)}`);
  }
  let failure: Error | null = null;
  stream.on('error', (error: Error) => (failure = error));
  const check = () => {
    if (failure) throw new OperationError(`cannot write ${file ?? 'to stdout'}: ${failure.message}`);
  };
  return {
    async write(text) {
      check();
      if (text && !stream.write(text)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      check();
    },
    async finish() {
      if (!partial || !file) return;
      await new Promise<void>((resolve, reject) => stream.end(() => (failure ? reject(failure) : resolve())));
      check();
      fs.renameSync(partial, file);
    },
    abandon() {
      if (!partial) return;
      (stream as fs.WriteStream).destroy();
      fs.rmSync(partial, { force: true });
    },
  };
}
