import { describe, expect, it, vi } from 'vitest';
import { ApiModeProbe, classifyProbe, complainsAboutDates, PROBE_QUERY } from '../../../../lib/sources/mpas/api-mode-probe.js';
import { MpasResponseError } from '../../../../lib/sources/mpas/errors.js';
import type { HttpResult } from '../../../../lib/sources/mpas/http-transport.js';

const result = (status: number, body: unknown): HttpResult => ({
  status,
  headers: new Headers(),
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

class ProbeRefused extends Error {}
const refuse = (answer: HttpResult): never => {
  throw new ProbeRefused(`status ${answer.status}`);
};

describe('classifyProbe', () => {
  it('calls a 200 with ids (or no events at all) modern', () => {
    expect(classifyProbe(result(200, [{ id: 'a', time: 1, type: 'LOGIN' }]), 'acme')).toBe('modern');
    expect(classifyProbe(result(200, []), 'acme')).toBe('modern');
  });

  it('calls a 200 holding an event without id legacy', () => {
    expect(classifyProbe(result(200, [{ time: 1, type: 'LOGIN' }]), 'acme')).toBe('legacy');
    expect(classifyProbe(result(200, [{ id: '', time: 1, type: 'LOGIN' }]), 'acme')).toBe('legacy');
    expect(classifyProbe(result(200, [null]), 'acme')).toBe('legacy');
  });

  it("calls Keycloak's date-format 400 legacy", () => {
    const legacy = { error: "Invalid value for 'Date(From)', expected format is yyyy-MM-dd" };
    expect(classifyProbe(result(400, legacy), 'acme')).toBe('legacy');
  });

  it('has no answer for other statuses or other 400s', () => {
    expect(classifyProbe(result(400, { error: 'unknown_error' }), 'acme')).toBeUndefined();
    for (const status of [401, 403, 404, 500]) expect(classifyProbe(result(status, {}), 'acme')).toBeUndefined();
  });

  it('refuses a 200 that is not a JSON array', () => {
    expect(() => classifyProbe(result(200, '<html>'), 'acme')).toThrow(MpasResponseError);
    expect(() => classifyProbe(result(200, { events: [] }), 'acme')).toThrow(/expected an array/);
  });
});

describe('complainsAboutDates', () => {
  it('recognises the wordings of date-format errors', () => {
    expect(complainsAboutDates("Invalid value for 'Date(To)', expected format is yyyy-MM-dd")).toBe(true);
    expect(complainsAboutDates('{"error":"invalid date"}')).toBe(true);
    expect(complainsAboutDates('Bad date format')).toBe(true);
    expect(complainsAboutDates('{"error":"unknown_error"}')).toBe(false);
    expect(complainsAboutDates('date')).toBe(false);
  });
});

describe('ApiModeProbe', () => {
  it('asks once per realm with the probe query and remembers the answer', async () => {
    const request = vi.fn(async (realm: string, _query: Readonly<Record<string, string>>) => (realm === 'old' ? result(400, { error: 'expected format is yyyy-MM-dd' }) : result(200, [])));
    const probe = new ApiModeProbe(request, refuse);
    expect(await probe.mode('new')).toBe('modern');
    expect(await probe.mode('old')).toBe('legacy');
    expect(await probe.mode('new')).toBe('modern');
    expect(await probe.mode('old')).toBe('legacy');
    expect(request).toHaveBeenCalledTimes(2);
    expect(request.mock.calls[0]?.[1]).toEqual({ dateFrom: '0', dateTo: '4102444800000', first: '0', max: '1', direction: 'asc' });
    expect(PROBE_QUERY.dateTo).toBe(String(Date.parse('2100-01-01T00:00:00Z')));
  });

  it('shares one probe between concurrent callers', async () => {
    let answer: (value: HttpResult) => void = () => undefined;
    const request = vi.fn(() => new Promise<HttpResult>((resolve) => (answer = resolve)));
    const probe = new ApiModeProbe(request, refuse);
    const both = Promise.all([probe.mode('acme'), probe.mode('acme')]);
    await vi.waitFor(() => expect(request).toHaveBeenCalledTimes(1));
    answer(result(200, [{ id: 'x', time: 1, type: 'LOGIN' }]));
    expect(await both).toEqual(['modern', 'modern']);
  });

  it("hands a non-answer to the client's failure and does not remember it", async () => {
    const request = vi.fn().mockResolvedValueOnce(result(403, {})).mockResolvedValueOnce(result(200, []));
    const probe = new ApiModeProbe(request, refuse);
    await expect(probe.mode('acme')).rejects.toThrow(new ProbeRefused('status 403'));
    await expect(probe.mode('acme')).resolves.toBe('modern');
    expect(request).toHaveBeenCalledTimes(2);
  });
});
