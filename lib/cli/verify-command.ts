import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import type { ArchiveReader } from '../archive/archive-store.js';
import type { DeliveryCounter } from '../archive/delivery-counter.js';
import type { AppConfig } from '../config/app-config-schema.js';
import { loadConfig } from '../config/load-config.js';
import { streamKey } from '../core/cursor/cursor-store.js';
import { FileCursorStore } from '../stores/cursor/file-cursor-store.js';
import { mpasClientFromConfig } from '../runtime/mpas-client-from-config.js';
import type { Stream } from '../core/events/event-schemas.js';
import { expirationSecondsOf } from '../sources/mpas/events-config.js';
import type { EventsExpiration } from '../sources/mpas/events-config.js';
import type { MpasClient } from '../sources/mpas/mpas-client.js';
import { systemClock } from '../core/time/clock.js';
import type { Clock } from '../core/time/clock.js';
import { verifyRange } from '../verify/verify-range.js';
import type { VerifyReport } from '../verify/verify-range.js';
import { VERSION } from '../version.js';
import type { CliIo, Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions } from './parse-options.js';
import { rangeTargets } from './range-delivery.js';
import { rangeSelectionSpec } from './replay-command.js';

const USAGE = `usage: mpas-log-sync verify --from TIME --to TIME [--realm R]... [--stream user|admin] [--config FILE] [--state DIR] [--json]

Proves a closed time range complete: reads it from MPAS again (both API modes, with the
poller's own paging) and compares it, event key by event key, with the event archive (the
SQLite file locally, the S3 archive with archive.s3). Nothing is sent, nothing is written.

  --from TIME            start, inclusive: ISO-8601 with a zone (2026-11-20T00:00:00Z,
                         2026-11-20T01:00:00+01:00) or epoch milliseconds
  --to TIME              end, inclusive, same forms; at least the settle window (MPAS_SETTLE_MS)
                         in the past
  --realm R              only this realm (repeatable; default: every configured realm)
  --stream user|admin    only this stream (default: the configured streams)
  --config FILE          JSON config file (default: $MPAS_LOG_SYNC_CONFIG, else the environment only)
  --state DIR            state directory holding a relative archive.file (default: STATE_DIR or .state)
  --json                 one JSON object instead of text

Reports, per realm and stream: events read from MPAS, found in the archive, missing (listed by
key, time and type), duplicated (stored more than once: the SQLite archive counts it, the S3
archive cannot tell) and extra (archived, but no longer in MPAS: deleted by its expiration).
Needs the archive on (archive.enabled); see docs/verify.md.

Exit codes: 0 nothing is missing, 1 something is missing (or MPAS or the archive could not be
read: the message says which), 2 bad usage or configuration.`;

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `--from`/`--to`: ISO-8601 with a zone, or epoch milliseconds. No zone-less form, unlike
 * replay's: a range shown to an auditor must not depend on whose clock read it.
 */
function instantSchema(option: string) {
  const message = `--${option} must be an ISO-8601 date-time with a zone (2026-11-20T00:00:00Z or 2026-11-20T01:00:00+01:00) or epoch milliseconds`;
  return z
    .string()
    .trim()
    .transform((text, context) => {
      const time = /^\d+$/.test(text) ? Number(text) : ISO_WITH_ZONE.test(text) ? Date.parse(text) : Number.NaN;
      if (!Number.isSafeInteger(time) || time < 0) {
        context.addIssue({ code: 'custom', message: `${message}, got "${text}"` });
        return z.NEVER;
      }
      return time;
    });
}

/** Parses one of the two options, or a UsageError naming it. */
function instantOption(option: 'from' | 'to', value: string | undefined): number {
  if (value === undefined) throw new UsageError(`verify needs --${option}`);
  const parsed = instantSchema(option).safeParse(value);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? `--${option} is not a time`);
  return parsed.data;
}

/** What the verify command may be given instead of its defaults (tests). */
export interface VerifyCommandDeps {
  s3?: S3Client;
  clock?: Clock;
  /** The MPAS client instead of the configured one. */
  client?: (config: AppConfig) => MpasClient;
}

/** What `verify` says when the configuration has no archive to compare with. */
export const ARCHIVE_OFF_MESSAGE = [
  'verify compares MPAS with the event archive, and the archive is off in this configuration.',
  'Turn it on in the config file, then verify ranges delivered after that (earlier deliveries were not archived):',
  '  locally:  "archive": { "enabled": true }   (a SQLite file, archive.file, default audit-events.sqlite in the state directory)',
  '  AWS:      "archive": { "enabled": true, "s3": { "bucket": "<the data stack output ArchiveBucketName>", "prefix": "audit-events/" } }',
  '            (the stack archives when the tenant file has deployment.archive)',
  'See docs/routes-archive-reports.md, "The event archive", and docs/verify.md.',
].join('\n');

/** The archive a configuration describes, for reading; undefined when it is off. */
async function archiveReaderOf(config: AppConfig, stateDir: string, deps: VerifyCommandDeps): Promise<{ reader: ArchiveReader & Partial<DeliveryCounter>; where: string } | undefined> {
  const archive = config.archive;
  if (!archive?.enabled) return undefined;
  if (archive.s3) {
    const [{ S3Archive }, { S3Client }] = await Promise.all([import('../archive/s3-archive.js'), import('@aws-sdk/client-s3')]);
    const prefix = archive.s3.prefix;
    return { reader: new S3Archive(deps.s3 ?? new S3Client({}), archive.s3), where: `s3://${archive.s3.bucket}/${prefix}` };
  }
  const file = isAbsolute(archive.file) ? archive.file : join(stateDir, archive.file);
  if (!existsSync(file)) throw new UsageError(`the event archive ${file} does not exist: nothing was archived there yet (is --state the state directory of the run? archive.file is relative to it)`);
  const { SqliteArchive } = await import('../archive/sqlite-archive.js');
  return { reader: new SqliteArchive(file, { readOnly: true }), where: `SQLite ${file}` };
}

/** Notes on what may explain a result: expirations, the archive's retention, a live cursor not past --to. */
async function notesFor(
  config: AppConfig,
  range: { from: number; to: number; realms: readonly string[]; streams: readonly Stream[] },
  now: number,
  stateDir: string,
  expirations: Map<string, EventsExpiration>,
): Promise<string[]> {
  const notes: string[] = [];
  const retentionDays = config.archive?.retentionDays;
  if (retentionDays !== undefined && range.from < now - retentionDays * 86_400_000) {
    notes.push(`the archive deletes records older than ${retentionDays} days (archive.retentionDays): events before ${new Date(now - retentionDays * 86_400_000).toISOString()} show as missing once deleted`);
  }
  for (const realm of range.realms) {
    const expiration = expirations.get(realm);
    if (expiration?.status === 'unknown') notes.push(`realm ${realm}: event expiration unknown (${expiration.reason})`);
    for (const stream of range.streams) {
      const seconds = expiration ? expirationSecondsOf(expiration, stream) : undefined;
      if (seconds !== undefined && range.from < now - seconds * 1000) {
        notes.push(`realm ${realm} ${stream} events: Keycloak deletes events after ${seconds} s; those before ${new Date(now - seconds * 1000).toISOString()} are gone from MPAS and archived ones show as extra`);
      }
    }
  }
  // Locally the live cursor says how far delivery got: what lies after it is not missing yet, only not delivered yet.
  if (!config.archive?.s3 && existsSync(join(stateDir, `${config.tenant}.cursor.json`))) {
    try {
      const snapshot = await new FileCursorStore({ stateDir, tenant: config.tenant }).read();
      for (const realm of range.realms) {
        for (const stream of range.streams) {
          const position = snapshot.positions[streamKey(realm, stream)];
          // A quiet stream's position stays at its newest event; the reading it recorded says how far it read.
          const readUpTo = Math.max(position?.time ?? 0, position?.read?.windowEnd ?? 0);
          if (position && readUpTo < range.to) {
            notes.push(`realm ${realm} ${stream} events: the live cursor has read up to ${new Date(readUpTo).toISOString()}, before --to: events after it are not delivered yet`);
          }
        }
      }
    } catch {
      // A note only: an unreadable cursor changes nothing in the comparison.
    }
  }
  return notes;
}

/** The extra events older than their stream's expiration: deleted by Keycloak, not a delivery error. */
function expiredExtras(report: VerifyReport, expirations: Map<string, EventsExpiration>, now: number): Set<string> {
  const expired = new Set<string>();
  for (const item of report.extra) {
    const expiration = expirations.get(item.realm);
    const seconds = expiration ? expirationSecondsOf(expiration, item.stream) : undefined;
    if (seconds !== undefined && Date.parse(item.time) < now - seconds * 1000) expired.add(item.key);
  }
  return expired;
}

const LISTED = 50;

function printText(io: CliIo, header: string, where: string, report: VerifyReport, expired: Set<string>, notes: string[]): void {
  io.out(header);
  io.out(`archive: ${where}\n`);
  io.out(`  ${'REALM'.padEnd(16)} ${'STREAM'.padEnd(6)} ${'MODE'.padEnd(6)} ${'MPAS'.padStart(8)} ${'ARCHIVED'.padStart(8)} ${'MISSING'.padStart(8)} ${'DUPLICATED'.padStart(10)} ${'EXTRA'.padStart(8)}`);
  for (const row of report.streams) {
    io.out(`  ${row.realm.padEnd(16)} ${row.stream.padEnd(6)} ${row.mode.padEnd(6)} ${String(row.read).padStart(8)} ${String(row.found).padStart(8)} ${String(row.missing).padStart(8)} ${String(row.duplicated ?? '?').padStart(10)} ${String(row.extra).padStart(8)}`);
  }
  const more = (count: number): string => (count > LISTED ? `  ... and ${count - LISTED} more (--json lists every one)` : '');
  io.out(`\nmissing (in MPAS, not in the archive): ${report.missing.length}`);
  for (const item of report.missing.slice(0, LISTED)) io.out(`  ${item.time}  ${item.realm} ${item.stream}  ${item.type.padEnd(24)} ${item.key}`);
  if (more(report.missing.length)) io.out(more(report.missing.length));
  const counted = report.duplicatesCounted
    ? 'stored more than once: handed to delivery more than once, so the SIEM may hold copies'
    : 'this archive cannot count deliveries per key (the S3 archive, or a SQLite file written before the counts existed): only events archived under both their hash key and their id are shown';
  io.out(`\nduplicated: ${report.duplicated.length} (${counted})`);
  for (const item of report.duplicated.slice(0, LISTED)) io.out(`  ${item.realm} ${item.stream}  ${item.copies} copies  ${item.reason === 'hash-and-id' ? 'under its hash key and its id' : 'stored again'}  ${item.key}`);
  if (more(report.duplicated.length)) io.out(more(report.duplicated.length));
  io.out(`\nextra (in the archive, not in MPAS): ${report.extra.length}${expired.size > 0 ? ` (${expired.size} older than the realm's event expiration: deleted by Keycloak)` : ''}`);
  for (const item of report.extra.slice(0, LISTED)) io.out(`  ${item.time}  ${item.realm} ${item.stream}  ${item.eventID.padEnd(24)} ${item.key}${expired.has(item.key) ? '  (expired in MPAS)' : ''}`);
  if (more(report.extra.length)) io.out(more(report.extra.length));
  if (notes.length > 0) io.out(`\nnotes:\n${notes.map((note) => `  - ${note}`).join('\n')}`);
  io.out(
    report.missing.length === 0
      ? `\ncomplete: all ${report.totals.read} events MPAS holds for the range are in the archive`
      : `\nINCOMPLETE: ${report.missing.length} of ${report.totals.read} events MPAS holds for the range are not in the archive`,
  );
}

/** `mpas-log-sync verify`, with its S3 client, clock and MPAS client injectable. */
export function createVerifyCommand(deps: VerifyCommandDeps = {}): Command {
  return {
    summary: 'prove a closed time range complete: MPAS read again, compared with the event archive',
    usage: USAGE,
    async run(args, env, io) {
      const { values } = parseOptions(args, rangeSelectionSpec);
      if (values.help) {
        io.out(USAGE);
        return ExitCode.ok;
      }
      const from = instantOption('from', values.from);
      const to = instantOption('to', values.to);
      if (to < from) throw new UsageError(`--to (${values.to}) is before --from (${values.from})`);
      const config = loadConfig({ env, configFile: values.config });
      const { realms, streams } = rangeTargets(config, { realms: values.realm, stream: values.stream, json: values.json === true, progressEverySeconds: 10 });
      const clock = deps.clock ?? systemClock;
      const now = clock.now();
      // An open range is still being written: Keycloak commits an event after its time.
      if (to > now - config.mpas.settleMs) {
        throw new UsageError(`--to must be at least MPAS_SETTLE_MS (${config.mpas.settleMs} ms) in the past: events up to then may still be committing in MPAS`);
      }
      const stateDir = values.state ?? config.stateDir;
      const archive = await archiveReaderOf(config, stateDir, deps);
      if (!archive) {
        io.err(ARCHIVE_OFF_MESSAGE);
        return ExitCode.usage;
      }
      const client = deps.client ? deps.client(config) : mpasClientFromConfig(config, { clock });
      try {
        const report = await verifyRange({ source: client, archive: archive.reader, realms, streams, from, to, pageSize: config.mpas.pageSize, now: () => clock.now() });
        const expirations = new Map<string, EventsExpiration>();
        for (const realm of realms) {
          expirations.set(realm, await client.eventsExpiration(realm).catch((error: unknown) => ({ status: 'unknown' as const, reason: error instanceof Error ? error.message : String(error) })));
        }
        const expired = expiredExtras(report, expirations, now);
        const notes = await notesFor(config, { from, to, realms, streams }, now, stateDir, expirations);
        const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
        if (values.json) {
          io.out(
            JSON.stringify({
              ok: report.missing.length === 0,
              ...range,
              realms,
              streams,
              archive: archive.where,
              totals: report.totals,
              streamResults: report.streams,
              missing: report.missing,
              duplicated: {
                counted: report.duplicatesCounted,
                ...(report.duplicatesCounted ? {} : { note: 'this archive cannot count deliveries per key; only events archived under both their hash key and their id are listed' }),
                events: report.duplicated,
              },
              extra: report.extra.map((item) => ({ ...item, expiredInMpas: expired.has(item.key) })),
              notes,
            }),
          );
        } else {
          printText(io, `mpas-log-sync ${VERSION} verify: ${range.from} .. ${range.to} (both inclusive), realms ${realms.join(', ')}, streams ${streams.join(', ')}`, archive.where, report, expired, notes);
        }
        return report.missing.length === 0 ? ExitCode.ok : ExitCode.failure;
      } finally {
        await archive.reader.close();
      }
    },
  };
}

/** `mpas-log-sync verify`. */
export const verifyCommand: Command = createVerifyCommand();
