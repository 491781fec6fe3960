// Whether a build is current: its output folder has a file at least as new as every
// input. `npm start` rebuilds only what is stale; `roster` runs the build when current.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Newest modification time of the files and folders under `paths`, skipping node_modules and dist inside them (0 when none). */
export function newestMtime(paths) {
  let newest = 0;
  const visit = (p, top) => {
    const name = path.basename(p);
    if (!top && (name === 'node_modules' || name === 'dist')) return;
    let stat;
    try {
      stat = statSync(p);
    } catch {
      return;
    }
    // A folder's own time counts too: deleting or renaming a file changes only its folder.
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const entry of readdirSync(p)) visit(path.join(p, entry), false);
  };
  for (const p of paths) visit(p, true);
  return newest;
}

/** True when `outputDir` exists and holds a file at least as new as every file under `inputs`. */
export function isCurrent(outputDir, inputs) {
  return existsSync(outputDir) && newestMtime([outputDir]) >= newestMtime(inputs);
}
