import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { writeFileAtomic } from '../cursor/atomic-file.js';
import type { StreamKey } from '../../core/cursor/cursor-store.js';
import { CursorError } from '../../core/cursor/errors.js';
import type { DeliveryRecord, DeliveryRecordStore } from '../../core/poller/delivery-records.js';

const recordSchema = z.object({
  stream: z.string().min(1),
  seq: z.number().int().nonnegative(),
  from: z.number().int(),
  to: z.number().int(),
  keys: z.array(z.string().min(1)),
  fence: z.number().int().nonnegative(),
});

/**
 * Delivery records of the local mode: `<stateDir>/<tenant>.lookback/<stream hash>.<seq>.json`,
 * one file a young chunk, written atomically (and synced) before the chunk's commit, removed
 * once the look-back is done with it. Only the lock holder writes here, so fences never race;
 * they are still checked, as in DynamoDB.
 */
export class FileDeliveryRecords implements DeliveryRecordStore {
  private readonly dir: string;

  constructor(private readonly options: { stateDir: string; tenant: string; pid?: number }) {
    this.dir = join(options.stateDir, `${options.tenant}.lookback`);
  }

  async put(record: DeliveryRecord): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const path = this.pathOf(record.stream, record.seq);
    const existing = this.readRecord(path);
    if (existing && existing.fence > record.fence) return;
    try {
      writeFileAtomic(path, JSON.stringify(record) + '\n', { pid: this.options.pid ?? process.pid, mode: 0o600 });
    } catch (error) {
      throw new CursorError(`could not write the delivery record ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async get(stream: StreamKey, fromSeq: number, toSeq: number): Promise<DeliveryRecord[]> {
    const prefix = `${streamFileName(stream)}.`;
    const records: DeliveryRecord[] = [];
    for (const name of this.names()) {
      if (!name.startsWith(prefix) || !name.endsWith('.json')) continue;
      const seq = Number(name.slice(prefix.length, -'.json'.length));
      if (!Number.isInteger(seq) || seq < fromSeq || seq > toSeq) continue;
      const record = this.readRecord(join(this.dir, name));
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.seq - b.seq);
  }

  async prune(stream: StreamKey, belowSeq: number): Promise<void> {
    const prefix = `${streamFileName(stream)}.`;
    for (const name of this.names()) {
      if (!name.startsWith(prefix)) continue;
      const seq = Number(name.slice(prefix.length).split('.')[0]);
      if (Number.isInteger(seq) && seq < belowSeq) rmSync(join(this.dir, name), { force: true });
    }
  }

  private names(): string[] {
    try {
      return readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new CursorError(`could not list the delivery records in ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
  }

  private pathOf(stream: StreamKey, seq: number): string {
    return join(this.dir, `${streamFileName(stream)}.${seq}.json`);
  }

  private readRecord(path: string): DeliveryRecord | undefined {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CursorError(`could not read the delivery record ${path}: ${(error as Error).message}`, { cause: error });
    }
    let parsed: z.ZodSafeParseResult<z.infer<typeof recordSchema>>;
    try {
      parsed = recordSchema.safeParse(JSON.parse(text));
    } catch (error) {
      throw new CursorError(`the delivery record ${path} is corrupt: not JSON`, { cause: error });
    }
    if (!parsed.success) throw new CursorError(`the delivery record ${path} is corrupt: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    return parsed.data as DeliveryRecord;
  }
}

/** A realm name may hold any character: the file name holds a hash of the stream key. */
function streamFileName(stream: StreamKey): string {
  return createHash('sha256').update(stream).digest('hex').slice(0, 16);
}
