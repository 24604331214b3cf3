import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A path whose permissions were narrowed, with the modes before and after (octal). */
export interface NarrowedPath {
  path: string;
  from: string;
  to: string;
}

/**
 * Narrows the state directory and the tenant's entries in it (`<tenant>.*`: cursor, lock,
 * health, history, dead letters, the look-back directory and its files) and `files` (the SQLite
 * archive, which may live elsewhere) to the owner alone, where a group or others may read them:
 * made by hand, by an older version, restored with a wide umask. Everything the product creates
 * is created private (open and mkdir with the mode; a umask only takes bits away): this is for
 * what was there before. Other entries of the directory are not the product's to change, nor
 * the targets of symbolic links. Absent paths are skipped.
 * @returns what was narrowed, for one log line.
 */
export function narrowStateDir(stateDir: string, options: { tenant: string; files?: readonly string[] }): NarrowedPath[] {
  const narrowed: NarrowedPath[] = [];
  if (!narrow(stateDir, narrowed)) return narrowed;
  for (const name of readdirSync(stateDir)) {
    if (!name.startsWith(`${options.tenant}.`)) continue;
    const path = join(stateDir, name);
    if (narrow(path, narrowed) === 'directory') for (const inner of readdirSync(path)) narrow(join(path, inner), narrowed);
  }
  for (const file of options.files ?? []) narrow(file, narrowed);
  return narrowed;
}

/** Narrows one path; what it is, or undefined when absent (or neither file nor directory). */
function narrow(path: string, narrowed: NarrowedPath[]): 'file' | 'directory' | undefined {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!stats.isDirectory() && !stats.isFile()) return undefined;
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    // The owner's own bits stay as they are: only the group's and others' go.
    const to = mode & 0o700;
    chmodSync(path, to);
    narrowed.push({ path, from: octal(mode), to: octal(to) });
  }
  return stats.isDirectory() ? 'directory' : 'file';
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
