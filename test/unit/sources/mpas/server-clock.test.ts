import { describe, expect, it } from 'vitest';
import { serverClockLine } from '../../../../lib/local/setup-checks.js';
import { ServerClock } from '../../../../lib/sources/mpas/server-clock.js';

const T = Date.parse('2026-12-01T10:00:00.000Z');
const httpDate = (time: number): string => new Date(time).toUTCString();

describe('ServerClock', () => {
  it('knows nothing before an answer with a Date, and ignores answers without one', () => {
    const clock = new ServerClock();
    clock.observe(null, T, T + 5);
    clock.observe('not a date', T, T + 5);
    expect(clock.offset()).toBeUndefined();
    expect(clock.serverNow(T)).toBe(T);
  });

  it('bounds the offset by the second of the Date and the time the answer took, tighter with every answer', () => {
    const clock = new ServerClock();
    // The server is 3.4 s behind: answers made at our T + 400 and T + 1_900 say T - 3_000 and T - 2_000.
    clock.observe(httpDate(T - 3_000), T + 390, T + 410);
    expect(clock.offset()).toEqual({ low: -3_410, high: -2_391 });
    clock.observe(httpDate(T - 2_000), T + 1_890, T + 1_910);
    expect(clock.offset()).toEqual({ low: -3_410, high: -2_891 });
  });

  it('takes the server\'s time, at the least, only when its clock is surely behind ours', () => {
    const behind = new ServerClock();
    behind.observe(httpDate(T - 3_000), T + 390, T + 410);
    expect(behind.serverNow(T + 10_000)).toBe(T + 10_000 - 3_410);
    // In step within the Date's second: ours.
    const inStep = new ServerClock();
    inStep.observe(httpDate(T), T + 300, T + 320);
    expect(inStep.serverNow(T + 10_000)).toBe(T + 10_000);
    // Ahead: ours, which is earlier.
    const ahead = new ServerClock();
    ahead.observe(httpDate(T + 60_000), T, T + 20);
    expect(ahead.serverNow(T)).toBe(T);
  });

  it('starts again when a clock was stepped, and forgets answers older than ten minutes', () => {
    const clock = new ServerClock();
    clock.observe(httpDate(T - 3_000), T + 390, T + 410);
    // NTP fixed the server: now in step. The old bound contradicts the new answer.
    clock.observe(httpDate(T + 5_000), T + 5_100, T + 5_120);
    expect(clock.offset()).toEqual({ low: -120, high: 899 });
    const old = new ServerClock();
    old.observe(httpDate(T - 3_000), T + 390, T + 410);
    old.observe(httpDate(T + 700_000 - 2_000), T + 700_000, T + 700_010);
    expect(old.offset()).toEqual({ low: -2_010, high: -1_001 });
  });
});

describe('check\'s clock line', () => {
  it('says nothing before an answer, ok within a second, and warns with the difference beyond', () => {
    expect(serverClockLine(undefined)).toBeUndefined();
    expect(serverClockLine({ low: -400, high: 600 })).toEqual({ detail: expect.stringMatching(/^ok: .*within a second/), warn: false });
    expect(serverClockLine({ low: -3_410, high: -2_891 })).toEqual({ detail: expect.stringMatching(/at least 2\.9 s behind this machine's/), warn: true });
    expect(serverClockLine({ low: 1_500, high: 2_600 })).toEqual({ detail: expect.stringMatching(/at least 1\.5 s ahead of/), warn: true });
  });
});
