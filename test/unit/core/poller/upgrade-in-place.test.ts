import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiMode } from '../../../../lib/core/cursor/cursor-store.js';
import { FileCursorStore } from '../../../../lib/stores/cursor/file-cursor-store.js';
import { createRandom } from '../../../../devtools/generators/random.js';
import type { UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { pollTenant } from '../../../../lib/core/poller/poll-tenant.js';
import type { PollTenantOptions } from '../../../../lib/core/poller/poll-tenant.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';
import { ModelKeycloakSource } from '../../../support/model-keycloak-source.js';
import { RecordingQueue } from '../../../support/recording-queue.js';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');

function event(time: number, n: number): UserEvent {
  return { id: `id-${n}`, time, type: 'LOGIN', realmId: 'acme', details: { n: String(n) } };
}

describe('pollTenant across an upgrade in place', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'upgrade-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it.each([['legacy', 'modern'], ['modern', 'modern']] as Array<[ApiMode, ApiMode]>)(
    'delivers every event once when the server goes from %s to %s between two polls, equal times at the cursor included',
    async (before, after) => {
      const clock = new ManualClock(NOW);
      const random = createRandom(5);
      const source = new ModelKeycloakSource({ mode: before, utcOffsetMinutes: 120, legacyDateTo: 'start-of-day', random: () => random.next() });
      const queue = new RecordingQueue();
      // The model answers the current mode whatever is asked; the client remembers it unless told to refresh.
      const refreshes: boolean[] = [];
      const apiMode = source.apiMode.bind(source);
      source.apiMode = async (realm, modeOptions) => {
        refreshes.push(modeOptions?.refresh ?? false);
        return apiMode(realm, modeOptions);
      };
      const options: PollTenantOptions = {
        tenant: 't', owner: 'me', realms: ['acme'], streams: ['user'], source, queue, clock,
        store: new FileCursorStore({ stateDir, tenant: 't' }),
        settleMs: 5_000, pageSize: 4, leaseMs: 60_000, startFrom: NOW - 3_600_000,
      };
      let n = 0;
      // Ten events, the last three in the same millisecond: the cursor ends on that millisecond.
      for (let index = 0; index < 7; index += 1) source.events.push(event(NOW - 600_000 + index * 1_000, n++));
      for (let index = 0; index < 3; index += 1) source.events.push(event(NOW - 60_000, n++));
      expect(await pollTenant(options)).toMatchObject({ status: 'complete', events: 10 });

      source.setMode(after);
      clock.advance(30_000);
      // One more event in the cursor's millisecond, and newer ones.
      source.events.push(event(NOW - 60_000, n++));
      for (let index = 0; index < 5; index += 1) source.events.push(event(NOW + index * 1_000, n++));
      expect(await pollTenant(options)).toMatchObject({ status: 'complete', events: 6 });

      expect(refreshes.filter(Boolean), 'the API mode is asked anew once a poll').toHaveLength(2);
      const delivered = queue.batches.flatMap((batch) => batch.events.map((item) => (item as UserEvent).details!.n));
      expect([...delivered].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: n }, (_, index) => String(index)));
    },
  );
});
