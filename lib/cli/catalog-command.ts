import { describeAdminEvent, describeUserEvent, knownUserEventTypes, ADMIN_OPERATIONS, ADMIN_RESOURCE_CATALOG } from '../core/pipeline/event-catalog.js';
import { severityName } from '../core/pipeline/severity.js';
import type { EventDescription } from '../core/pipeline/event-catalog.js';
import type { Command } from './command.js';
import { ExitCode } from './exit-codes.js';
import { parseOptions } from './parse-options.js';

const USAGE = `usage: mpas-log-sync catalog [--json]

Prints the event catalog: every Keycloak user event type and admin operation on each resource
type, with its CEF signature id, name, category and severity (0-10). docs/events.md is the same
table, generated.

  --json    one JSON array instead of a table`;

/** `mpas-log-sync catalog`. */
export const catalogCommand: Command = {
  summary: 'print the event catalog (type, name, severity) as a table or JSON',
  usage: USAGE,
  async run(args, _env, io) {
    const { values } = parseOptions(args, { json: { type: 'boolean' } });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    const rows: Array<{ stream: 'user' | 'admin'; type: string } & EventDescription> = [];
    for (const type of knownUserEventTypes()) rows.push({ stream: 'user', type, ...describeUserEvent(type, type.endsWith('_ERROR')) });
    for (const resource of Object.keys(ADMIN_RESOURCE_CATALOG)) {
      for (const operation of Object.keys(ADMIN_OPERATIONS)) {
        rows.push({ stream: 'admin', type: `${operation} ${resource}`, ...describeAdminEvent(operation, resource, false) });
      }
    }
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2));
      return ExitCode.ok;
    }
    const width = Math.max(...rows.map(({ type }) => type.length));
    const idWidth = Math.max(...rows.map(({ signatureId }) => signatureId.length));
    io.out(`${'STREAM'.padEnd(6)} ${'TYPE'.padEnd(width)} ${'SIGNATURE ID'.padEnd(idWidth)} SEV  NAME`);
    for (const row of rows) {
      const severity = `${String(row.severity).padStart(2)} ${severityName(row.severity).slice(0, 4)}`;
      io.out(`${row.stream.padEnd(6)} ${row.type.padEnd(width)} ${row.signatureId.padEnd(idWidth)} ${severity}  ${row.name}`);
    }
    return ExitCode.ok;
  },
};
