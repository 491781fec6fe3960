/**
 * One process per embedded data folder. PGlite is the whole database inside the
 * process that opened it: a second process opening the same folder works on its
 * own copy, and the writes of one vanish when the other closes. So a process takes
 * a lock file in the folder (its PID, host, and what it is: a server's URL or the
 * CLI) before opening it, and a second one refuses with a line that says who holds it.
 *
 * A lock is stale, and taken over, when its process is gone: its PID is dead, or
 * it was written on another host (a copied folder, a container that restarted).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const LOCK_FILE_NAME = 'roster.lock';

export interface LockHolder {
  pid: number;
  host: string;
  /** What a second process is told holds the folder: the server's URL, or the CLI. */
  holder: string;
}

export class DataFolderInUseError extends Error {
  readonly exitCode = 1;
  constructor(
    readonly dataDir: string,
    readonly owner: LockHolder,
  ) {
    super(`${shownPath(dataDir)} is in use by Roster (PID ${owner.pid}, ${owner.holder}); stop it or set DATABASE_URL`);
    this.name = 'DataFolderInUseError';
  }
}

export interface DataFolderLock {
  /** Removes the lock file (if it is still this process's); safe to call twice. */
  release(): void;
}

/** Lock files this process holds: a lock naming our own PID is live only if it is one of these. */
const heldHere = new Set<string>();

/**
 * Takes the folder's lock (the folder must exist), or throws DataFolderInUseError
 * naming the live process that holds it. Released by `release()` or when the process exits.
 */
export function lockDataFolder(dataDir: string, holder: string): DataFolderLock {
  const file = path.join(dataDir, LOCK_FILE_NAME);
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), holder };
  // Written whole to a private name, then linked into place: link fails if the lock exists,
  // so no process ever reads a half-written lock, and two processes cannot both take it.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(draft, `${JSON.stringify(mine)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(draft, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
        const owner = liveHolder(file);
        if (owner) throw new DataFolderInUseError(dataDir, owner);
        fs.rmSync(file, { force: true });
      }
    }
  } finally {
    fs.rmSync(draft, { force: true });
  }
  heldHere.add(file);

  const release = () => {
    process.off('exit', release);
    if (!heldHere.delete(file)) return;
    if (readLock(file)?.pid === process.pid) fs.rmSync(file, { force: true });
  };
  // A process that exits without closing the database (process.exit after an error) still releases it.
  process.on('exit', release);
  return { release };
}

/** Throws DataFolderInUseError when a live process holds the folder; takes nothing. */
export function assertDataFolderFree(dataDir: string): void {
  const owner = liveHolder(path.join(dataDir, LOCK_FILE_NAME));
  if (owner) throw new DataFolderInUseError(dataDir, owner);
}

/** The lock's holder when that process is still alive; `null` for no lock or a stale one. */
function liveHolder(file: string): LockHolder | null {
  const owner = readLock(file);
  if (!owner || owner.host !== os.hostname()) return null;
  if (owner.pid === process.pid) return heldHere.has(file) ? owner : null;
  try {
    process.kill(owner.pid, 0);
    return owner;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? owner : null;
  }
}

function readLock(file: string): LockHolder | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isSafeInteger(parsed.pid) && typeof parsed.host === 'string' && typeof parsed.holder === 'string') {
      return parsed as LockHolder;
    }
  } catch {
    // Not a lock this code wrote: stale.
  }
  return null;
}

/** The folder as a person would type it from here: `./data` under the working directory, else absolute. */
export function shownPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  if (relative === '') return '.';
  if (relative.startsWith('..') || path.isAbsolute(relative)) return dir;
  return `./${relative}`;
}
