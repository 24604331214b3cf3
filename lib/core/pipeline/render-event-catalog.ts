import {
  ADMIN_OPERATIONS,
  ADMIN_RESOURCE_CATALOG,
  describeAdminEvent,
  describeUserEvent,
  knownUserEventTypes,
} from './event-catalog.js';
import type { EventDescription } from './event-catalog.js';
import { classifyAdminEvent, classifyUserEvent } from '../formats/ocsf/ocsf-classification.js';
import type { OcsfClassification } from '../formats/ocsf/ocsf-classification.js';
import { SEVERITY_MEANINGS, Severity, severityName } from './severity.js';
import type { SeverityName } from './severity.js';

/** The command that rewrites docs/events.md; named in the page and in the test that guards it. */
export const EVENT_DOCS_COMMAND = 'npx tsx scripts/generate-event-docs.ts';

// Table cells: a `|` would split the cell, a line break would end the table.
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n|\r/g, ' ');
}

function severityCell(description: EventDescription): string {
  return `${description.severity} (${severityName(description.severity)})`;
}

/** `3002 Authentication: Logon (1)`: the class and activity an `ocsf` event of this type has. */
function ocsfCell({ ocsfClass, activityId }: OcsfClassification): string {
  return `${ocsfClass.uid} ${ocsfClass.name}: ${ocsfClass.activities[activityId] ?? 'Unknown'} (${activityId})`;
}

function severitySection(): string[] {
  const rows = (Object.keys(Severity) as SeverityName[]).map(
    (name) => `| ${Severity[name]} | ${name} | ${SEVERITY_MEANINGS[name]} |`,
  );
  return [
    '## Severity scale',
    '',
    "The CEF header's severity, 0-10: the syslog levels inverted (PAS 6.0's audit-log design, docs/origins.md). CEF bands: Low 0-3,",
    'Medium 4-6, High 7-8, Very-High 9-10.',
    '',
    '| Severity | Level | Meaning |',
    '| --- | --- | --- |',
    ...rows,
  ];
}

function userSection(): string[] {
  const rows = knownUserEventTypes().map((type) => {
    const description = describeUserEvent(type, false);
    return `| ${type} | ${description.signatureId} | ${cell(description.name)} | ${description.category} | ${severityCell(description)} | ${ocsfCell(classifyUserEvent(type))} |`;
  });
  return [
    '## User events',
    '',
    "One row per Keycloak `EventType`. A success type carrying an `error` is reported as its",
    '`_ERROR` twin. A type not listed here (a newer Keycloak) is delivered as',
    '`user_unknown_<type>` with severity 4 (Notice), or 6 (Warning) when it failed, and as OCSF',
    'class 6003 API Activity with activity 0 (Unknown). The OCSF column is the class and activity',
    'of `SIEM_FORMAT=ocsf` (docs/siems.md, "OCSF").',
    '',
    '| Keycloak type | Signature ID | Name | Category | Severity | OCSF class: activity (id) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

function adminSection(): string[] {
  const rows: string[] = [];
  for (const resourceType of Object.keys(ADMIN_RESOURCE_CATALOG)) {
    for (const operation of Object.keys(ADMIN_OPERATIONS)) {
      const success = describeAdminEvent(operation, resourceType, false);
      const failure = describeAdminEvent(operation, resourceType, true);
      rows.push(
        `| ${resourceType} | ${operation} | ${success.signatureId} | ${cell(success.name)} | ${severityCell(success)} | ${severityCell(failure)} | ${ocsfCell(classifyAdminEvent(operation, resourceType))} |`,
      );
    }
  }
  return [
    '## Admin events',
    '',
    'One row per Keycloak `ResourceType` and `OperationType`; category `admin-change`. An admin',
    'event with an `error` gets the signature ID with an `_error` suffix, a "failed to" name and',
    'the failure severity. Unknown types are delivered as `admin_unknown_<resource>_<operation>`',
    'with severity 4 (Notice), or 6 (Warning) when it failed, and as OCSF class 6003 API Activity',
    '(activity by the operation: 1 Create, 3 Update, 4 Delete, else 0 Unknown). In OCSF a role',
    'mapping given to a group (`resourcePath` under `groups/`) is 3006 Group Management with the same',
    'activity, and the USER action at `users/<id>/reset-password` is 3001 Account Change: Password Reset (4).',
    '',
    '| Resource type | Operation | Signature ID | Name | Severity | Severity on error | OCSF class: activity (id) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ];
}

/**
 * The event catalog as a markdown page (docs/events.md): every event type with the signature ID,
 * name, category and severity its CEF lines carry. Deterministic, so a test can compare the
 * committed page with it.
 */
export function renderEventCatalog(): string {
  const lines = [
    '# Event catalog',
    '',
    `<!-- Generated from lib/core/pipeline/event-catalog.ts by \`${EVENT_DOCS_COMMAND}\`. Do not edit. -->`,
    '',
    'How each MPAS (Keycloak) event is presented to a SIEM: the CEF Device Event Class ID',
    '(signature ID), name and severity, a category for grouping, and the OCSF class and activity.',
    '',
    ...severitySection(),
    '',
    ...userSection(),
    '',
    ...adminSection(),
  ];
  return lines.join('\n') + '\n';
}
