/**
 * The Node versions the project claims (root package.json `engines`, which the README repeats)
 * are ones every installed package accepts: `npm install` on any of them prints no EBADENGINE
 * warning, and nothing installed needs a newer Node than we say.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** Every package in the lock file (what `npm install` installs), with the Node range it declares. */
function lockedEngines(): { name: string; node: string }[] {
  const lock = readJson(path.join(root, 'package-lock.json'));
  return Object.entries(lock.packages as Record<string, { version?: string; engines?: { node?: string } | string[] }>)
    .filter(([key, entry]) => key !== '' && !Array.isArray(entry.engines) && entry.engines?.node)
    .map(([key, entry]) => ({
      name: `${key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`,
      node: (entry.engines as { node: string }).node,
    }));
}

describe('supported Node versions', () => {
  const claimed: string = readJson(path.join(root, 'package.json')).engines.node;

  it('every locked package accepts every Node version the project claims', () => {
    const refusing = lockedEngines()
      .filter((p) => !semver.subset(claimed, p.node, { includePrerelease: false }))
      .map((p) => `${p.name} wants node ${p.node}`);
    expect(refusing).toEqual([]);
  });

  it('this Node is one of them', () => {
    expect(semver.satisfies(process.version, claimed), process.version).toBe(true);
  });
});
