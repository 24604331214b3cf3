import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor } from '../stores/cursor/atomic-file.js';
import * as z from 'zod';
import type { HealthReport } from './health-tracker.js';

// What status reads of the file: another version of run may have written more.
const healthFileSchema = z.object({
  writtenAt: z.string(),
  owner: z.string(),
  report: z
    .object({
      status: z.enum(['ok', 'degraded']),
      reasons: z.array(z.string()),
      failing: z.array(z.object({ side: z.enum(['SIEM', 'MPAS']), target: z.string(), cause: z.string(), since: z.string(), attempts: z.number() })).default([]),
    })
    .loose(),
});

/** What `run` leaves in its state directory for `status`: its last health report and who wrote it. */
export interface HealthFile {
  writtenAt: string;
  /** `host:pid` of the run that wrote it. */
  owner: string;
  report: HealthReport;
}

/** Where the run of `tenant` keeps its health report. */
export function healthFilePath(stateDir: string, tenant: string): string {
  return join(stateDir, `${tenant}.health.json`);
}

/**
 * Writes the report whole or not at all (a temporary file renamed over the last one), so
 * `status` never reads half of it. Not synced to disk: a report lost with the machine is stale anyway.
 */
export async function writeHealthFile(path: string, content: HealthFile): Promise<void> {
  const temp = tempPathFor(path, process.pid);
  try {
    await writeFile(temp, JSON.stringify(content, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** The last report a run wrote, or undefined when there is none (or it is not one: a half-written or foreign file). */
export async function readHealthFile(path: string): Promise<HealthFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = healthFileSchema.safeParse(json);
  return parsed.success ? (parsed.data as unknown as HealthFile) : undefined;
}
