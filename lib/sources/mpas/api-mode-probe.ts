import type { ApiMode } from '../../core/cursor/cursor-store.js';
import { MpasPageTooLargeError, MpasResponseError } from './errors.js';
import { bodyText } from './http-transport.js';
import type { HttpResult } from './http-transport.js';

/** 2100-01-01T00:00:00Z: a `dateTo` no event can pass, as epoch milliseconds. */
export const PROBE_DATE_TO_MS = 4_102_444_800_000;

/**
 * The probe's query on the realm's user events. Keycloak >= 26.2 takes epoch milliseconds in
 * `dateFrom`/`dateTo`; older servers parse them as `yyyy-MM-dd` and answer 400.
 */
export const PROBE_QUERY: Readonly<Record<string, string>> = {
  dateFrom: '0',
  dateTo: String(PROBE_DATE_TO_MS),
  first: '0',
  max: '1',
  direction: 'asc',
};

/** The probe's request, sent with a valid token; the client supplies it. */
export type ProbeRequest = (realm: string, query: Readonly<Record<string, string>>, signal?: AbortSignal) => Promise<HttpResult>;

/** Throws the client's error for a status that is neither answer (401 twice, 403, 404, ...). */
export type ProbeFailure = (result: HttpResult, realm: string) => never;

/**
 * Reads a probe's answer: 200 means modern, unless an event in it has no `id` (a server that
 * took the dates but predates ids is treated as legacy, which needs no ids); a 400 that
 * complains about the date format means legacy; anything else is not an answer (undefined).
 */
export function classifyProbe(result: HttpResult, realm: string): ApiMode | undefined {
  if (result.cutAtBytes !== undefined) throw new MpasPageTooLargeError({ route: 'events', realm, limitBytes: result.cutAtBytes });
  if (result.status === 200) {
    let page: unknown;
    try {
      page = JSON.parse(bodyText(result));
    } catch (error) {
      throw new MpasResponseError({ route: 'events', realm, stream: 'user', issues: ['events: the body is not JSON'] }, { cause: error });
    }
    if (!Array.isArray(page)) {
      throw new MpasResponseError({ route: 'events', realm, stream: 'user', issues: ['events: expected an array'] });
    }
    const withoutId = page.some((event: unknown) => {
      const id = (event as { id?: unknown } | null)?.id;
      return typeof id !== 'string' || id.length === 0;
    });
    return withoutId ? 'legacy' : 'modern';
  }
  if (result.status === 400 && complainsAboutDates(bodyText(result))) return 'legacy';
  return undefined;
}

/**
 * Whether a 400's body is a date-format complaint. Keycloak < 26.2 says "Invalid value for
 * 'Date(From)', expected format is yyyy-MM-dd"; a proxy or a translated build may word it
 * otherwise, so any mention of a date together with "invalid" or "format" counts.
 */
export function complainsAboutDates(body: string): boolean {
  if (/yyyy-MM-dd/i.test(body)) return true;
  return /date/i.test(body) && /invalid|format/i.test(body);
}

/**
 * Asks each realm once which API mode its server speaks and remembers the answer. Callers
 * asking at the same time share one probe (which runs under the first caller's signal); a
 * probe that fails is not remembered, so the next call asks again.
 */
export class ApiModeProbe {
  private readonly known = new Map<string, ApiMode>();
  private readonly pending = new Map<string, Promise<ApiMode>>();

  constructor(
    private readonly request: ProbeRequest,
    private readonly fail: ProbeFailure,
  ) {}

  /** The realm's API mode, probing on first use, or again when `refresh` is set. */
  async mode(realm: string, signal?: AbortSignal, refresh = false): Promise<ApiMode> {
    const known = refresh ? undefined : this.known.get(realm);
    if (known !== undefined) return known;
    let pending = this.pending.get(realm);
    if (pending === undefined) {
      pending = this.probe(realm, signal).finally(() => this.pending.delete(realm));
      this.pending.set(realm, pending);
    }
    return pending;
  }

  private async probe(realm: string, signal?: AbortSignal): Promise<ApiMode> {
    const result = await this.request(realm, PROBE_QUERY, signal);
    const mode = classifyProbe(result, realm);
    if (mode === undefined) this.fail(result, realm);
    this.known.set(realm, mode);
    return mode;
  }
}
