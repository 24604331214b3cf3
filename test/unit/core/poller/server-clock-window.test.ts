import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCursorStore } from '../../../../lib/stores/cursor/file-cursor-store.js';
import { createRandom } from '../../../../devtools/generators/random.js';
import { pollTenant } from '../../../../lib/core/poller/poll-tenant.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';
import { ModelKeycloakSource } from '../../../support/model-keycloak-source.js';
import { RecordingQueue } from '../../../support/recording-queue.js';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');

describe('pollTenant and the server\'s clock', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'server-clock-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it.each([
    ['30 s behind', -30_000, NOW - 35_000],
    ['in step', 0, NOW - 5_000],
    ['ahead (ours is earlier)', 30_000, NOW - 5_000],
  ])('reads up to the earlier of the two clocks minus settle: server %s', async (_label, offset, expectedEnd) => {
    const random = createRandom(1);
    const source = new ModelKeycloakSource({ mode: 'modern', utcOffsetMinutes: 0, legacyDateTo: 'end-of-day', random: () => random.next() });
    source.serverNow = () => Math.min(NOW, NOW + offset);
    source.events.push({ id: 'a', time: NOW - 60_000, type: 'LOGIN' });
    const outcome = await pollTenant({
      tenant: 't', owner: 'me', realms: ['acme'], streams: ['user'], source, queue: new RecordingQueue(), clock: new ManualClock(NOW),
      store: new FileCursorStore({ stateDir, tenant: 't' }), settleMs: 5_000, pageSize: 10, leaseMs: 60_000, startFrom: NOW - 3_600_000,
    });
    expect(outcome).toMatchObject({ status: 'complete', events: 1 });
    expect(source.queries.length).toBeGreaterThan(0);
    for (const query of source.queries) expect(query.dateTo).toBe(expectedEnd);
  });
});
