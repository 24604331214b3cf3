import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveReader } from '../archive/archive-store.js';
import { parseReportDefinition } from '../reports/report-definition.js';
import { ReportError } from '../reports/report-error.js';
import { renderReport } from '../reports/report-output.js';
import type { ReportFormat } from '../reports/report-output.js';
import { runReport } from '../reports/run-report.js';
import { parseReplayDate, ReplayRangeError } from '../local/replay-range.js';
import { systemClock } from '../core/time/clock.js';
import type { Clock } from '../core/time/clock.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';

const USAGE = `usage: mpas-log-sync report <definition.json> [--param NAME=VALUE ...] [--format table|csv|json]
                            [--from DATE] [--to DATE] [--s3 s3://BUCKET/PREFIX | --archive FILE | --state DIR]

Runs a report (PAS 6.0's report definitions, docs/origins.md: a query on audit_events, params, and a
post-processing filter over the events' CEF params) over the event archive; see
docs/routes-archive-reports.md and the definitions in reports/.

  --param NAME=VALUE   a value for the definition's {{NAME}} (repeat for each param)
  --format F           table (default on a terminal), csv, or json (default otherwise)
  --json               the same as --format json
  --from DATE          only events at or after DATE: 2026-11-01 (UTC midnight),
                       2026-11-01T08:00:00Z, or epoch ms
  --to DATE            only events at or before DATE (inclusive, as --from)
  --s3 URL             read the S3 archive (only the date partitions the report needs); AWS
                       credentials and region from the usual AWS settings
  --archive FILE       the local SQLite archive (default: <state dir>/audit-events.sqlite)
  --state DIR          the state directory (default: STATE_DIR, else .state)

The archive is off unless the config file turns it on ("archive": {"enabled": true}); run then
stores every event it delivers, redacted, in <state dir>/audit-events.sqlite.`;

/** What the report command may be given instead of its defaults (tests). */
export interface ReportCommandDeps {
  s3?: S3Client;
  clock?: Clock;
}

/**
 * `--from`/`--to` as the window the archive reads (ISO-8601, `from` inclusive, `to` exclusive):
 * both options are inclusive, as for every command, so the window ends 1 ms after `--to`.
 */
function windowOf(from: string | undefined, to: string | undefined): { from?: string; to?: string } {
  const instant = (option: string, value: string): number => {
    try {
      return parseReplayDate(option, value);
    } catch (error) {
      if (error instanceof ReplayRangeError) throw new UsageError(error.message);
      throw error;
    }
  };
  return {
    ...(from === undefined ? {} : { from: new Date(instant('from', from)).toISOString() }),
    ...(to === undefined ? {} : { to: new Date(instant('to', to) + 1).toISOString() }),
  };
}

function paramsOf(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--param must be NAME=VALUE, got "${pair}"`);
    params[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return params;
}

/** `mpas-log-sync report`, with its S3 client and clock injectable. */
export function createReportCommand(deps: ReportCommandDeps = {}): Command {
  return {
    summary: 'run a report (definition JSON) over the event archive, as a table, CSV or JSON',
    usage: USAGE,
    async run(args, env, io) {
      let parsed;
      try {
        parsed = parseArgs({
          args: [...args],
          options: {
            param: { type: 'string', multiple: true },
            format: { type: 'string' },
            json: { type: 'boolean' },
            from: { type: 'string' },
            to: { type: 'string' },
            s3: { type: 'string' },
            archive: { type: 'string' },
            state: { type: 'string' },
            help: { type: 'boolean', short: 'h' },
          },
          strict: true,
          allowPositionals: true,
        });
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
      const { values, positionals } = parsed;
      if (values.help) {
        io.out(USAGE);
        return ExitCode.ok;
      }
      if (positionals.length !== 1) throw new UsageError('give exactly one report definition file');
      if (values.json && values.format !== undefined && values.format !== 'json') throw new UsageError(`--json asks for --format json, not --format ${values.format}`);
      const format = (values.format ?? (values.json || !io.isTty ? 'json' : 'table')) as ReportFormat;
      if (!['table', 'csv', 'json'].includes(format)) throw new UsageError(`--format must be table, csv or json, got "${values.format}"`);
      if (values.s3 !== undefined && values.archive !== undefined) throw new UsageError('give --s3 or --archive, not both');
      const window = windowOf(values.from, values.to);
      const file = positionals[0] as string;

      let definition;
      try {
        definition = parseReportDefinition(readFileSync(file, 'utf8'));
      } catch (error) {
        if (error instanceof ReportError) throw new UsageError(`${file}: ${error.message}`);
        throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const reader = await readerOf(values, env, deps);
      try {
        const result = await runReport({ definition, params: paramsOf(values.param ?? []), reader, now: (deps.clock ?? systemClock).now(), window });
        io.out(renderReport(result, format));
        return ExitCode.ok;
      } catch (error) {
        if (error instanceof ReportError) throw new UsageError(`${file}: ${error.message}`);
        throw error;
      } finally {
        await reader.close();
      }
    },
  };
}

// The archive modules (the AWS SDK's S3 client, SQLite's WebAssembly) load only when a report runs,
// so the other commands start without them.
async function readerOf(values: { s3?: string; archive?: string; state?: string }, env: NodeJS.ProcessEnv, deps: ReportCommandDeps): Promise<ArchiveReader> {
  if (values.s3 !== undefined) {
    const { S3Archive, parseS3Url } = await import('../archive/s3-archive.js');
    let location;
    try {
      location = parseS3Url(values.s3);
    } catch (error) {
      throw new UsageError(`--s3: ${error instanceof Error ? error.message : String(error)}`);
    }
    const client = deps.s3 ?? new (await import('@aws-sdk/client-s3')).S3Client({});
    return new S3Archive(client, location);
  }
  const stateDir = values.state ?? (env['STATE_DIR']?.trim() || '.state');
  const path = values.archive ?? join(stateDir, 'audit-events.sqlite');
  if (!existsSync(path)) {
    throw new Error(
      `no event archive at ${path}: the archive is off unless the config file turns it on ("archive": {"enabled": true}, ` +
        'docs/routes-archive-reports.md) and run has stored events since; or give --archive FILE, --state DIR or --s3 s3://BUCKET/PREFIX',
    );
  }
  const { SqliteArchive } = await import('../archive/sqlite-archive.js');
  return new SqliteArchive(path, { readOnly: true });
}

/** `mpas-log-sync report`. */
export const reportCommand: Command = createReportCommand();
