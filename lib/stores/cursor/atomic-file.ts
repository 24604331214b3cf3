import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// Synchronous on purpose. The cursor commit of each page is on the local pipeline's critical
// path, and the thread has nothing else to do while it is written: the next page was read while
// this one was delivered. Asynchronously, each of its steps (open, write, fsync, close, rename,
// fsync of the directory) waits for a thread-pool round trip: 2.1-2.3 ms a commit against 0.9-1.0
// measured on this machine's disk, 3-4 ms against 2 under the catch-up benchmark's load.

/** Every temporary file this module writes ends with this suffix; readers never look at them. */
const TEMP_SUFFIX = '.tmp';

/**
 * The name of a temporary file beside `path`: hidden, unique per process and attempt, so two
 * writers never share one and a crashed writer's leftover is recognisable (see `removeStrayTempFiles`).
 */
export function tempPathFor(path: string, pid: number): string {
  return join(dirname(path), `.${basename(path)}.${pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

/**
 * Writes `content` to a new file at `tempPath` (which must not exist), flushed to disk before it
 * returns, so that a rename or link of it afterwards can only ever expose the whole content.
 */
export function writeSyncedNewFile(tempPath: string, content: string, mode = 0o600): void {
  const fd = openSync(tempPath, 'wx', mode);
  try {
    writeFileSync(fd, content, 'utf8');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Flushes a directory's entries (a rename, link or unlink in it) to disk. Without it a power cut
 * after the rename could bring the old name back even though the caller went on as if it were gone.
 */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces the file at `path` with `content` atomically: readers and a crash at any instant see
 * either the old content or the new one, never a torn mix. The steps are the classic ones: write
 * a temporary file in the same directory (a rename is atomic only within one file system), fsync
 * it, rename it over `path`, fsync the directory.
 */
export function writeFileAtomic(path: string, content: string, options: { pid: number; mode?: number }): void {
  const tempPath = tempPathFor(path, options.pid);
  try {
    writeSyncedNewFile(tempPath, content, options.mode);
    renameSync(tempPath, path);
  } catch (error) {
    try {
      unlinkSync(tempPath);
    } catch {
      // Never created, or already renamed: nothing to clean up.
    }
    throw error;
  }
  syncDirectory(dirname(path));
}

/**
 * Deletes the temporary files a crashed writer of `path` left behind. Only safe for the caller
 * that alone writes `path` (the lock holder): another live writer's temp file would vanish too.
 * @returns the paths removed.
 */
export function removeStrayTempFiles(path: string): string[] {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const stray = join(dir, name);
    try {
      unlinkSync(stray);
      removed.push(stray);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}
