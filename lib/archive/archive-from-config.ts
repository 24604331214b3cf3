import { isAbsolute, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { AppConfig } from '../config/app-config-schema.js';
import { createRedactor } from '../pipeline/redactor.js';
import type { Clock } from '../time/clock.js';
import { ArchiveWriter } from './archive-writer.js';
import type { ArchiveObserver } from './archive-writer.js';
import type { ArchiveStore } from './archive-store.js';
import { S3Archive } from './s3-archive.js';
import { SqliteArchive } from './sqlite-archive.js';

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
}

/**
 * The event archive a configuration describes, or undefined when it is off (the default):
 * `archive.s3` set: the S3 archive; otherwise the SQLite file under the state directory. Events
 * are stored after the top-level redaction.
 */
export function archiveFromConfig(config: AppConfig, options: ArchiveFromConfigOptions): ArchiveWriter | undefined {
  const archive = config.archive;
  if (!archive?.enabled) return undefined;
  const store =
    options.store ??
    (archive.s3
      ? new S3Archive(options.s3 ?? new S3Client({}), archive.s3)
      : new SqliteArchive(isAbsolute(archive.file) ? archive.file : join(options.stateDir, archive.file)));
  return new ArchiveWriter({
    store,
    redact: createRedactor(config.redaction),
    maxRecords: archive.bufferEvents,
    retentionDays: archive.retentionDays,
    clock: options.clock,
    observer: options.observer,
  });
}
