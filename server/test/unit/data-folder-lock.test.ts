import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFolderInUseError, LOCK_FILE_NAME, lockDataFolder, shownPath } from '../../src/db/data-folder-lock.js';

const folders: string[] = [];
function folderWithLock(content: string | null): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'roster-lock-unit-'));
  folders.push(dir);
  if (content !== null) fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), content);
  return dir;
}
const readLock = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE_NAME), 'utf8'));

afterEach(() => {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the data folder lock', () => {
  it('writes PID, host and holder, refuses a second taker, and is gone after release', () => {
    const dir = folderWithLock(null);
    const lock = lockDataFolder(dir, 'http://localhost:8000');
    expect(readLock(dir)).toEqual({ pid: process.pid, host: os.hostname(), holder: 'http://localhost:8000' });
    expect(() => lockDataFolder(dir, 'the roster command')).toThrow(
      `${dir} is in use by Roster (PID ${process.pid}, http://localhost:8000); stop it or set DATABASE_URL`,
    );
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE_NAME))).toBe(false);
    lockDataFolder(dir, 'again').release();
  });

  it('a live process on this host holds it', () => {
    // PID 1 always exists.
    const dir = folderWithLock(JSON.stringify({ pid: 1, host: os.hostname(), holder: 'http://localhost:8001' }));
    expect(() => lockDataFolder(dir, 'me')).toThrow(DataFolderInUseError);
  });

  it.each([
    ['a dead PID', () => JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), holder: 'x' })],
    ['another host', () => JSON.stringify({ pid: 1, host: `not-${os.hostname()}`, holder: 'x' })],
    [
      'our own PID from an earlier life (a restarted container)',
      () => JSON.stringify({ pid: process.pid, host: os.hostname(), holder: 'x' }),
    ],
    ['a file that is not a lock', () => 'garbage'],
  ])('a stale lock (%s) is taken over', (_, content) => {
    const dir = folderWithLock(content());
    const lock = lockDataFolder(dir, 'me');
    expect(readLock(dir)).toMatchObject({ pid: process.pid, holder: 'me' });
    lock.release();
  });

  it('shows a folder under the working directory as ./relative, others as given', () => {
    expect(shownPath(path.join(process.cwd(), 'data'))).toBe('./data');
    expect(shownPath('/elsewhere/data')).toBe('/elsewhere/data');
  });
});
