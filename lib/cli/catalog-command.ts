import { describeAdminEvent, describeUserEvent, knownUserEventTypes, ADMIN_OPERATIONS, ADMIN_RESOURCE_CATALOG } from '../core/pipeline/event-catalog.js';
import { severityName } from '../core/pipeline/severity.js';
import type { EventDescription } from '../core/pipeline/event-catalog.js';
import { classifyAdminEvent, classifyUserEvent } from '../core/formats/ocsf/ocsf-classification.js';
import type { OcsfClassification } from '../core/formats/ocsf/ocsf-classification.js';
import type { Command } from './command.js';
import { ExitCode } from './exit-codes.js';
import { parseOptions } from './parse-options.js';

const USAGE = `usage: mpas-log-sync catalog [--json]

Prints the event catalog: every Keycloak user event type and admin operation on each resource
type, with its CEF signature id, severity (0-10 and its name), category, OCSF class and activity
(SIEM_FORMAT=ocsf: 3002/1 is class 3002 Authentication, activity 1 Logon) and name; two lines an
event, within 100 columns. The signature id is the stream and the Keycloak type: user_login_error
is the user event LOGIN_ERROR, admin_realm_role_create is the admin operation CREATE on
REALM_ROLE. docs/events.md is the same table, generated, with the OCSF names.

  --json    one JSON array instead of a table (each entry with its stream and type as well, and the
            OCSF class and activity by number and name)`;

/** The name goes on a line of its own: the longest signature id and name side by side take 103 columns. */
const NAME_INDENT = '    ';

/** The OCSF columns of an entry (lib/core/formats/ocsf/ocsf-classification.ts). */
interface OcsfColumns {
  ocsfClassUid: number;
  ocsfClass: string;
  ocsfActivityId: number;
  ocsfActivity: string;
}

function ocsfColumns({ ocsfClass, activityId }: OcsfClassification): OcsfColumns {
  return { ocsfClassUid: ocsfClass.uid, ocsfClass: ocsfClass.name, ocsfActivityId: activityId, ocsfActivity: ocsfClass.activities[activityId] ?? 'Unknown' };
}

/** `mpas-log-sync catalog`. */
export const catalogCommand: Command = {
  summary: 'print the event catalog (signature id, severity, category, OCSF class, name) as a table or JSON',
  usage: USAGE,
  async run(args, _env, io) {
    const { values } = parseOptions(args, { json: { type: 'boolean' } });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    const rows: Array<{ stream: 'user' | 'admin'; type: string } & EventDescription & OcsfColumns> = [];
    for (const type of knownUserEventTypes()) rows.push({ stream: 'user', type, ...describeUserEvent(type, type.endsWith('_ERROR')), ...ocsfColumns(classifyUserEvent(type)) });
    for (const resource of Object.keys(ADMIN_RESOURCE_CATALOG)) {
      for (const operation of Object.keys(ADMIN_OPERATIONS)) {
        rows.push({ stream: 'admin', type: `${operation} ${resource}`, ...describeAdminEvent(operation, resource, false), ...ocsfColumns(classifyAdminEvent(operation, resource)) });
      }
    }
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2));
      return ExitCode.ok;
    }
    const idWidth = Math.max(...rows.map(({ signatureId }) => signatureId.length));
    const severities = rows.map(({ severity }) => `${String(severity).padStart(2)} ${severityName(severity)}`);
    const severityWidth = Math.max(...severities.map((text) => text.length));
    const categoryWidth = Math.max(...rows.map(({ category }) => category.length));
    io.out(`${'SIGNATURE ID'.padEnd(idWidth)}  ${'SEVERITY'.padEnd(severityWidth)}  ${'CATEGORY'.padEnd(categoryWidth)}  OCSF\n${NAME_INDENT}NAME`);
    for (const [index, row] of rows.entries()) {
      const ocsf = `${row.ocsfClassUid}/${row.ocsfActivityId}`;
      io.out(`${row.signatureId.padEnd(idWidth)}  ${severities[index]!.padEnd(severityWidth)}  ${row.category.padEnd(categoryWidth)}  ${ocsf}\n${NAME_INDENT}${row.name}`);
    }
    return ExitCode.ok;
  },
};
