import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteArchive } from '../../../lib/archive/sqlite-archive.js';
import { appConfigSchema } from '../../../lib/config/app-config-schema.js';
import type { AppConfig } from '../../../lib/config/app-config-schema.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import { runLocal } from '../../../lib/local/local-runner.js';
import { startMpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { parseReportDefinition } from '../../../lib/reports/report-definition.js';
import { runReport } from '../../../lib/reports/run-report.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { ScriptedSink } from '../../support/scripted-sink.js';
import { readFileSync } from 'node:fs';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const SEED = 21;
const REALM = 'acme';

describe('runLocal with two routes and the SQLite archive', () => {
  let simulator: MpasSimulator;
  let stateDir: string;

  beforeEach(async () => {
    simulator = await startMpasSimulator({ clock: new ManualClock(NOW), realms: [REALM], seed: 4 });
    stateDir = mkdtempSync(join(tmpdir(), 'local-routes-'));
  });
  afterEach(async () => {
    await simulator?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it(`delivers each route its share and archives every event once, for reports (seed ${SEED})`, async () => {
    const generated = generateEvents({ seed: SEED, realm: REALM, count: 400, startTime: NOW - 3_600_000, spacingMs: 5_000, adminShare: 0.3 });
    simulator.add(REALM, 'user', generated.user);
    simulator.add(REALM, 'admin', generated.admin);
    const config = appConfigSchema.parse({
      mpas: { baseUrl: simulator.url, realms: [REALM], authRealm: 'master', credentials: { username: 'mpas-log-sync', password: 'mpas-log-sync' }, startFrom: NOW - 2 * 3_600_000 },
      routes: [
        { name: 'qradar', siem: { url: 'https://qradar.invalid/ingest', format: 'cef' } },
        { name: 'webhook', siem: { url: 'https://hooks.invalid/mpas' }, filter: { 'event.type': { equals: 'LOGIN_ERROR' } } },
      ],
      redaction: { userFields: [], adminFields: ['representation'] },
      archive: { enabled: true },
    }) as AppConfig;
    const qradar = new ScriptedSink('qradar');
    const webhook = new ScriptedSink('webhook');
    const counts = { archived: 0, dropped: 0, failed: 0 };

    const summary = await runLocal({
      config,
      version: 'test',
      once: true,
      stateDir,
      clock: new ManualClock(NOW),
      sinks: { qradar, webhook },
      archiveObserver: { archived: (n) => (counts.archived += n), dropped: (n) => (counts.dropped += n), failed: (n) => (counts.failed += n) },
    });

    const total = generated.user.length + generated.admin.length;
    expect(summary.failures).toBe(0);
    expect(qradar.accepted).toHaveLength(total);
    const loginErrors = generated.user.filter(({ type }) => type === 'LOGIN_ERROR');
    expect(loginErrors.length).toBeGreaterThan(0);
    expect(webhook.accepted).toHaveLength(loginErrors.length);
    expect(counts).toEqual({ archived: total, dropped: 0, failed: 0 });

    const reader = new SqliteArchive(join(stateDir, 'audit-events.sqlite'), { readOnly: true });
    try {
      expect(await reader.read({ order: 'asc', limit: 100_000 })).toHaveLength(total);
      const definition = parseReportDefinition(readFileSync(new URL('../../../reports/failed-logins-by-user.json', import.meta.url), 'utf8'));
      const username = loginErrors[0]!.details!['username'] as string;
      const report = await runReport({ definition, params: { username }, reader, now: NOW });
      expect(report.rows).toHaveLength(loginErrors.filter(({ details }) => details?.['username'] === username).length);
    } finally {
      await reader.close();
    }
  });
});
