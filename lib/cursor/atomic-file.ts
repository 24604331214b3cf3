import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

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
export async function writeSyncedNewFile(tempPath: string, content: string, mode = 0o600): Promise<void> {
  const handle = await open(tempPath, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a directory's entries (a rename, link or unlink in it) to disk. Without it a power cut
 * after the rename could bring the old name back even though the caller went on as if it were gone.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces the file at `path` with `content` atomically: readers and a crash at any instant see
 * either the old content or the new one, never a torn mix. The steps are the classic ones: write
 * a temporary file in the same directory (a rename is atomic only within one file system), fsync
 * it, rename it over `path`, fsync the directory.
 */
export async function writeFileAtomic(path: string, content: string, options: { pid: number; mode?: number }): Promise<void> {
  const tempPath = tempPathFor(path, options.pid);
  try {
    await writeSyncedNewFile(tempPath, content, options.mode);
    await rename(tempPath, path);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Deletes the temporary files a crashed writer of `path` left behind. Only safe for the caller
 * that alone writes `path` (the lock holder): another live writer's temp file would vanish too.
 * @returns the paths removed.
 */
export async function removeStrayTempFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const stray = join(dir, name);
    try {
      await unlink(stray);
      removed.push(stray);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}
