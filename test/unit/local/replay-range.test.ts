import { describe, expect, it } from 'vitest';
import { parseReplayDate, ReplayRangeError, replayCursorName } from '../../../lib/local/replay-range.js';

describe('parseReplayDate', () => {
  it('reads a date as UTC midnight, a date-time with or without a zone, and epoch milliseconds', () => {
    expect(parseReplayDate('from', '2026-11-01')).toBe(Date.UTC(2026, 10, 1));
    expect(parseReplayDate('from', '2026-11-01T08:30:00')).toBe(Date.UTC(2026, 10, 1, 8, 30));
    expect(parseReplayDate('from', '2026-11-01T08:30:00+01:00')).toBe(Date.UTC(2026, 10, 1, 7, 30));
    expect(parseReplayDate('to', '1790000000000')).toBe(1_790_000_000_000);
  });

  it('refuses anything else, naming the option', () => {
    expect(() => parseReplayDate('to', 'yesterday')).toThrow(ReplayRangeError);
    expect(() => parseReplayDate('to', '2026-13-45')).toThrow(/--to must be a date/);
  });
});

describe('replayCursorName', () => {
  const range = { kind: 'replay' as const, from: 1, to: 2, realms: ['b', 'a'], streams: ['user' as const] };

  it('names a cursor of its own per range, whatever the order of the realms', () => {
    const name = replayCursorName('acme', range);
    expect(name).toMatch(/^acme\.replay-[0-9a-f]{12}$/);
    expect(replayCursorName('acme', { ...range, realms: ['a', 'b'] })).toBe(name);
    expect(replayCursorName('acme', { ...range, to: 3 })).not.toBe(name);
    expect(replayCursorName('acme', { ...range, kind: 'backfill', to: undefined })).toMatch(/^acme\.backfill-/);
  });
});
