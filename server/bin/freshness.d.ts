/** Newest modification time of the files and folders under `paths`, skipping node_modules and dist inside them (0 when none). */
export function newestMtime(paths: string[]): number;
/** True when `outputDir` exists and holds a file at least as new as every file under `inputs`. */
export function isCurrent(outputDir: string, inputs: string[]): boolean;
