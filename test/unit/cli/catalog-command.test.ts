import { describe, expect, it } from 'vitest';
import { catalogCommand } from '../../../lib/cli/catalog-command.js';
import type { CliIo } from '../../../lib/cli/command.js';
import { severityName } from '../../../lib/core/pipeline/severity.js';
import type { SeverityLevel } from '../../../lib/core/pipeline/severity.js';

async function catalog(args: string[]): Promise<string> {
  const output: string[] = [];
  const io: CliIo = { out: (text) => output.push(text), err: (text) => output.push(text), isTty: true };
  expect(await catalogCommand.run(args, {}, io)).toBe(0);
  return output.join('\n');
}

interface Entry {
  stream: string;
  type: string;
  signatureId: string;
  name: string;
  category: string;
  severity: SeverityLevel;
  ocsfClassUid: number;
  ocsfActivityId: number;
}

describe('mpas-log-sync catalog', () => {
  it('fits 100 columns and gives every entry its signature id, full severity name, category, OCSF class and name', async () => {
    const entries = JSON.parse(await catalog(['--json'])) as Entry[];
    const lines = (await catalog([])).split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(lines.slice(0, 2).map((line) => line.trim().split(/\s+/))).toEqual([['SIGNATURE', 'ID', 'SEVERITY', 'CATEGORY', 'OCSF'], ['NAME']]);
    expect(lines).toHaveLength(2 + 2 * entries.length);
    entries.forEach((entry, index) => {
      expect(lines[2 + 2 * index]!.split(/\s+/).filter(Boolean)).toEqual([
        entry.signatureId,
        String(entry.severity),
        severityName(entry.severity),
        entry.category,
        `${entry.ocsfClassUid}/${entry.ocsfActivityId}`,
      ]);
      expect(lines[3 + 2 * index]).toBe(`    ${entry.name}`);
    });
    // Each name in full, as docs/events.md writes it.
    for (const name of ['Debug', 'Info', 'Notice', 'Warning', 'Error', 'Critical']) expect(lines.some((line) => line.includes(` ${name} `))).toBe(true);
    const login = entries.find(({ type }) => type === 'LOGIN');
    expect([login?.ocsfClassUid, login?.ocsfActivityId]).toEqual([3002, 1]);
    expect(new Set(entries.map(({ ocsfClassUid }) => ocsfClassUid))).toEqual(new Set([3001, 3002, 3004, 3005, 3006]));
    expect(new Set(entries.map(({ category }) => category))).toEqual(new Set(['authentication', 'token', 'account', 'credential', 'consent', 'identity-provider', 'client-registration', 'lockout', 'impersonation', 'cluster', 'admin-change']));
  });
});
