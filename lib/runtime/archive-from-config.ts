import { isAbsolute, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ForwarderConfig } from '../config/app-config-schema.js';
import { createRedactor } from '../core/pipeline/redactor.js';
import type { Clock } from '../core/time/clock.js';
import { ArchiveWriter } from '../archive/archive-writer.js';
import type { ArchiveObserver } from '../archive/archive-writer.js';
import type { ArchiveStore, ArchiveUnit } from '../archive/archive-store.js';

/** Options of {@link archiveFromConfig}. */
export interface ArchiveFromConfigOptions {
  /** Where a relative `archive.file` lives. */
  stateDir: string;
  clock: Clock;
  observer?: ArchiveObserver;
  /** The S3 client for `archive.s3` (tests pass one for the emulator). @default new S3Client({}) */
  s3?: S3Client;
  /** A store instead of the configured one (tests). */
  store?: ArchiveStore;
  /**
   * Whether the writer deletes what is older than `retentionDays`. False where the store expires
   * records itself and the writer may not delete (the stack's bucket: a lifecycle rule, PutObject
   * only). @default true
   */
  retention?: boolean;
}

/**
 * The event archive a configuration describes, or undefined when it is off (the default):
 * `archive.s3` set: the S3 archive; otherwise the SQLite file under the state directory. Events
 * are stored after the top-level redaction.
 */
export function archiveFromConfig(config: ForwarderConfig, options: ArchiveFromConfigOptions): ArchiveWriter | undefined {
  const archive = config.archive;
  if (!archive?.enabled) return undefined;
  const { s3 } = archive;
  const file = isAbsolute(archive.file) ? archive.file : join(options.stateDir, archive.file);
  const store =
    options.store ??
    lazyStore(async () => {
      if (s3) {
        const [{ S3Client }, { S3Archive }] = await Promise.all([import('@aws-sdk/client-s3'), import('../archive/s3-archive.js')]);
        return new S3Archive(options.s3 ?? new S3Client({}), s3);
      }
      const { SqliteArchive } = await import('../archive/sqlite-archive.js');
      return new SqliteArchive(file);
    });
  return new ArchiveWriter({
    store,
    redact: createRedactor(config.redaction),
    maxRecords: archive.bufferEvents,
    retentionDays: options.retention === false ? undefined : archive.retentionDays,
    clock: options.clock,
    observer: options.observer,
  });
}

/**
 * A store whose module (the AWS SDK's S3 client, SQLite's WebAssembly) loads at its first use,
 * so a process that never archives (every CLI command but `run`) does not pay for it at start.
 * A store that fails to load fails every write, which the writer counts.
 */
function lazyStore(load: () => Promise<ArchiveStore>): ArchiveStore {
  let loaded: Promise<ArchiveStore> | undefined;
  const store = (): Promise<ArchiveStore> => (loaded ??= load());
  return {
    write: async (units: readonly ArchiveUnit[]) => (await store()).write(units),
    deleteOlderThan: async (cutoff: string) => (await store()).deleteOlderThan(cutoff),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
}
