import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiMode, StreamPosition } from '../../../../lib/core/cursor/cursor-store.js';
import { createRandom } from '../../../../devtools/generators/random.js';
import type { UserEvent } from '../../../../lib/core/events/event-schemas.js';
import { eventKey } from '../../../../lib/core/events/event-key.js';
import type { KeyedEvent } from '../../../../lib/core/poller/keyed-event.js';
import { walkLegacy } from '../../../../lib/core/poller/legacy-walk.js';
import { walkModern } from '../../../../lib/core/poller/modern-walk.js';
import type { Walk, WalkContext } from '../../../../lib/core/poller/walk.js';
import { ModelKeycloakSource } from '../../../support/model-keycloak-source.js';

/** Fixed so a failure replays; fast-check prints it with the shrunk counterexample. */
const SEED = 20_261_203;
const DAY_MS = 86_400_000;
const START = Date.parse('2026-11-28T00:00:00.000Z');
const walks: Record<ApiMode, Walk> = { modern: walkModern, legacy: walkLegacy };

const scenario = fc.record({
  mode: fc.constantFrom<ApiMode>('modern', 'legacy'),
  utcOffsetMinutes: fc.constantFrom(-720, -300, 0, 120, 330, 840),
  legacyDateTo: fc.constantFrom('start-of-day' as const, 'end-of-day' as const),
  pageSize: fc.integer({ min: 1, max: 12 }),
  // Few distinct milliseconds over four days: many ties, many day boundaries.
  times: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 120 }),
  spreadMs: fc.constantFrom(1, 3_600_000, 7_200_000),
  startOffset: fc.integer({ min: 0, max: 10 }),
  windowOffset: fc.integer({ min: 0, max: 40 }),
  arrivalsPerQuery: fc.integer({ min: 0, max: 3 }),
  chunksPerTurn: fc.integer({ min: 1, max: 5 }),
  tieSeed: fc.integer({ min: 1, max: 2 ** 30 }),
});

function event(time: number, n: number): UserEvent {
  return { id: `e${n}`, time, type: 'LOGIN', realmId: 'acme', details: { n: String(n) } };
}

function keyAsServed(mode: ApiMode, item: UserEvent): string {
  const { id: _id, ...withoutId } = item;
  return eventKey(mode === 'legacy' ? withoutId : item);
}

describe('the walks against a Keycloak that orders equal times anew per query', () => {
  it('deliver every event of the window exactly once, in whole milliseconds, whatever the zone, the dateTo rule, the page size, the stops and the traffic between requests', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const random = createRandom(s.tieSeed);
        const at = (slot: number): number => START + slot * s.spreadMs;
        let serial = 0;
        const source = new ModelKeycloakSource({
          mode: s.mode,
          utcOffsetMinutes: s.utcOffsetMinutes,
          legacyDateTo: s.legacyDateTo,
          random: () => random.next(),
          // New events, newer than the window, stored while the walk reads: they shift every
          // older event's offset in a newest-first list.
          beforeQuery: () => {
            for (let index = 0; index < s.arrivalsPerQuery; index += 1) source.events.push(event(at(41) + 5 * DAY_MS + serial, 100_000 + serial++));
          },
        });
        s.times.forEach((slot, index) => source.events.push(event(at(slot), index)));
        const startTime = at(s.startOffset);
        const windowEnd = at(s.windowOffset);
        const expected = source.events
          .filter((item) => item.time >= startTime && item.time <= windowEnd)
          .map((item) => keyAsServed(s.mode, item as UserEvent))
          .sort();

        const delivered: KeyedEvent[][] = [];
        let position: StreamPosition = { time: startTime, boundary: [], mode: s.mode, updatedAt: 0 };
        let chunksThisTurn = 0;
        const context: WalkContext = {
          source,
          realm: 'acme',
          stream: 'user',
          pageSize: s.pageSize,
          windowEnd,
          now: () => 0,
          deliver: async (chunk, next) => {
            delivered.push(chunk);
            position = next;
            chunksThisTurn += 1;
          },
          shouldStop: () => chunksThisTurn >= s.chunksPerTurn,
        };
        for (let turn = 0; ; turn += 1) {
          expect(turn, 'the walk finishes').toBeLessThan(500);
          chunksThisTurn = 0;
          const result = await walks[s.mode](context, position);
          expect(result.position).toEqual(position);
          if (result.done) break;
        }
        const keys = delivered.flat().map((item) => item.key);
        expect([...keys].sort()).toEqual(expected);
        for (const chunk of delivered) {
          const times = chunk.map((item) => item.event.time);
          expect(times, 'a chunk is ordered by time').toEqual([...times].sort((a, b) => a - b));
          if (chunk.length > s.pageSize) expect(new Set(times).size, 'only one millisecond may fill more than a page').toBe(1);
        }
        // Whole milliseconds: no millisecond is split between two chunks unless it fills more than a page.
        const chunkOf = new Map<number, Set<number>>();
        delivered.forEach((chunk, index) => chunk.forEach((item) => chunkOf.set(item.event.time, (chunkOf.get(item.event.time) ?? new Set()).add(index))));
        for (const [time, chunks] of chunkOf) {
          const size = delivered.flat().filter((item) => item.event.time === time).length;
          if (chunks.size > 1) expect(size, `millisecond ${time} split across chunks`).toBeGreaterThan(s.pageSize);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('read the same first chunk again from the same position, whatever order the ties come in (a crashed page gets its batch id again)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.integer({ min: 1, max: 2 ** 30 }), async (s, otherSeed) => {
        const firstChunk = async (tieSeed: number): Promise<string[]> => {
          const random = createRandom(tieSeed);
          const source = new ModelKeycloakSource({ mode: s.mode, utcOffsetMinutes: s.utcOffsetMinutes, legacyDateTo: s.legacyDateTo, random: () => random.next() });
          s.times.forEach((slot, index) => source.events.push(event(START + slot * s.spreadMs, index)));
          let chunk: string[] = [];
          const context: WalkContext = {
            source,
            realm: 'acme',
            stream: 'user',
            pageSize: s.pageSize,
            windowEnd: START + s.windowOffset * s.spreadMs,
            now: () => 0,
            deliver: async (items) => {
              if (items.length > 0 && chunk.length === 0) chunk = items.map((item) => item.key);
            },
            shouldStop: () => chunk.length > 0,
          };
          await walks[s.mode](context, { time: START + s.startOffset * s.spreadMs, boundary: [], mode: s.mode, updatedAt: 0 });
          return chunk;
        };
        expect(await firstChunk(otherSeed)).toEqual(await firstChunk(s.tieSeed));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
