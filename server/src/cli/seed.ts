/**
 * `roster seed FILE`: development data from a JSON or YAML file, the terminal's
 * twin of the private sign-up route. Idempotent: users whose email exists are
 * left alone (or brought in line with the file with --update), so running it
 * again changes nothing. The whole file lands in one transaction or not at all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import YAML from 'yaml';
import type { PasswordHasher } from '../auth/passwords.js';
import type { Database } from '../db/client.js';
import { items, users } from '../db/schema.js';
import { normalizeEmail } from '../users/email-address.js';
import { withContext } from './context.js';
import { count } from './counts.js';
import { describeError, OperationError, UsageError } from './errors.js';
import { checkUserRecord, type UserRecord } from './records.js';
import { note, say, type Terminal } from './terminal.js';

interface SeedReport {
  created: number;
  updated: number;
  unchanged: number;
  items: number;
}

export async function seedCommand(terminal: Terminal, file: string, options: { update?: boolean }): Promise<void> {
  const records = readSeedFile(terminal, file);
  const report = await withContext(terminal, ({ database, hasher, changes }) =>
    database.db.transaction(async (tx) => {
      const seeded = await seed(tx as unknown as Database, hasher, records, options.update ?? false);
      const { created, updated, unchanged, items } = seeded;
      await changes.seeded(tx, { command: 'seed', source: file, created, updated, unchanged, items });
      return seeded;
    }),
  );
  const parts = [`${report.created} created`];
  if (options.update) parts.push(`${report.updated} updated`);
  parts.push(`${report.unchanged} already there${options.update ? ' and up to date' : ' (left alone; --update changes them)'}`);
  say(terminal, `Seeded ${file}: ${parts.join(', ')}; ${count(report.items, 'item')} added or changed.`);
}

/** Parses and checks every user; reports all problems at once, then refuses. */
function readSeedFile(terminal: Terminal, file: string): UserRecord[] {
  const extension = path.extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension)) throw new UsageError(`${file}: a seed file ends in .json, .yaml or .yml`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new OperationError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? describeError(error)}`);
  }
  let document: unknown;
  try {
    document = extension === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new OperationError(`cannot parse ${file}: ${describeError(error)}`);
  }
  const list = Array.isArray(document) ? document : (document as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new OperationError(`${file}: expected a list of users under "users:"`);

  const problems: string[] = [];
  const records: UserRecord[] = [];
  const seen = new Map<string, number>();
  for (const [index, entry] of list.entries()) {
    const checked = checkUserRecord(entry, { requirePassword: true });
    if (!checked.ok) {
      problems.push(`users[${index}]: ${checked.problem}`);
      continue;
    }
    const key = normalizeEmail(checked.value.email);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push(`users[${index}]: the same email as users[${earlier}]`);
      continue;
    }
    seen.set(key, index);
    records.push(checked.value);
  }
  if (problems.length > 0) {
    for (const problem of problems) note(terminal, `${file}: ${problem}`);
    throw new OperationError(`${file} has ${problems.length} problem${problems.length > 1 ? 's' : ''}; nothing was seeded`);
  }
  return records;
}

async function seed(db: Database, hasher: PasswordHasher, records: UserRecord[], update: boolean): Promise<SeedReport> {
  const report: SeedReport = { created: 0, updated: 0, unchanged: 0, items: 0 };
  for (const record of records) {
    const [existing] = await db
      .select()
      .from(users)
      .where(and(eq(users.emailNormalized, normalizeEmail(record.email)), eq(users.emailDuplicateRank, 0)));
    if (!existing) {
      const [created] = await db
        .insert(users)
        .values({
          ...(record.id ? { id: record.id } : {}),
          ...(record.createdAt ? { createdAt: new Date(record.createdAt) } : {}),
          email: record.email,
          emailNormalized: normalizeEmail(record.email),
          hashedPassword: record.hashedPassword ?? (await hasher.hash(record.password as string)),
          fullName: record.fullName,
          isActive: record.isActive,
          isSuperuser: record.isSuperuser,
          isVerified: record.isVerified,
        })
        .returning({ id: users.id });
      report.created++;
      report.items += await seedItems(db, (created as { id: string }).id, record, false);
      continue;
    }
    if (!update) {
      report.unchanged++;
      continue;
    }
    // A password that still verifies keeps its hash, so a rerun does not rewrite every row.
    const samePassword =
      record.password !== null
        ? (await hasher.verify(existing.hashedPassword, record.password)).ok
        : record.hashedPassword === existing.hashedPassword;
    const changes = {
      fullName: record.fullName,
      isActive: record.isActive,
      isSuperuser: record.isSuperuser,
      isVerified: record.isVerified,
      ...(samePassword ? {} : { hashedPassword: record.hashedPassword ?? (await hasher.hash(record.password as string)) }),
    };
    const changed =
      !samePassword ||
      existing.fullName !== changes.fullName ||
      existing.isActive !== changes.isActive ||
      existing.isSuperuser !== changes.isSuperuser ||
      existing.isVerified !== changes.isVerified;
    if (changed) await db.update(users).set(changes).where(eq(users.id, existing.id));
    const itemsChanged = await seedItems(db, existing.id, record, true);
    report.items += itemsChanged;
    if (changed || itemsChanged > 0) report.updated++;
    else report.unchanged++;
  }
  return report;
}

/**
 * Adds the record's items to a user. With `update`, an item is known by its
 * title: an existing one gets the file's description, a missing one is added,
 * and items the file does not name are left alone. Returns how many changed.
 */
async function seedItems(db: Database, ownerId: string, record: UserRecord, update: boolean): Promise<number> {
  let changed = 0;
  for (const item of record.items) {
    if (update) {
      const [existing] = await db
        .select()
        .from(items)
        .where(and(eq(items.ownerId, ownerId), eq(items.title, item.title)));
      if (existing) {
        if (existing.description !== item.description) {
          await db.update(items).set({ description: item.description }).where(eq(items.id, existing.id));
          changed++;
        }
        continue;
      }
    }
    await db.insert(items).values({
      ...(item.id ? { id: item.id } : {}),
      ...(item.createdAt ? { createdAt: new Date(item.createdAt) } : {}),
      ownerId,
      title: item.title,
      description: item.description,
    });
    changed++;
  }
  return changed;
}
