import type { MpasEvent } from '../../lib/core/events/event-schemas.js';
import { SimulatorUsageError } from './errors.js';
import type { FailNextOptions, FaultControls, SimulatorRoute } from './simulator-options.js';

/** A failure to answer instead of the real response. */
export interface InjectedFailure {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface FailureRule {
  remaining: number;
  options: FailNextOptions;
}

const FAIL_STATUSES = [429, 500, 502, 503] as const;

/** The body each injected status comes with: Keycloak's JSON for 500, a proxy's HTML for 502/503. */
function failureFor(options: FailNextOptions): InjectedFailure {
  const headers: Record<string, string> = {};
  if (options.retryAfterSeconds !== undefined) headers['retry-after'] = String(options.retryAfterSeconds);
  switch (options.status) {
    case 429:
      return { status: 429, headers: { ...headers, 'content-type': 'application/json' }, body: '{"error":"Too Many Requests"}' };
    case 500:
      return { status: 500, headers: { ...headers, 'content-type': 'application/json' }, body: '{"error":"unknown_error"}' };
    case 502:
    case 503: {
      const title = options.status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
      return { status: options.status, headers: { ...headers, 'content-type': 'text/html' }, body: `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>` };
    }
  }
}

/**
 * The simulator's failure switches. Failures queue up in the order they were asked for; each
 * request takes the first one whose endpoint matches. Malformed pages rotate through kinds of
 * breakage so a client's validation is exercised, not just its JSON parser.
 */
export class FaultInjector implements FaultControls {
  private rules: FailureRule[] = [];
  private latency = 0;
  private malformedRemaining = 0;
  private malformedServed = 0;
  private failRate = 0;
  private failRandom: () => number = () => 1;

  constructor(private readonly onRevokeTokens: () => void) {}

  failNext(options: FailNextOptions): void {
    if (!Number.isInteger(options.count) || options.count < 1) throw new SimulatorUsageError(`failNext: count must be an integer >= 1, got ${options.count}`, 'count');
    if (!FAIL_STATUSES.includes(options.status)) throw new SimulatorUsageError(`failNext: status must be one of ${FAIL_STATUSES.join(', ')}, got ${options.status}`, 'status');
    if (options.retryAfterSeconds !== undefined && !(Number.isInteger(options.retryAfterSeconds) && options.retryAfterSeconds >= 0)) {
      throw new SimulatorUsageError(`failNext: retryAfterSeconds must be an integer >= 0, got ${options.retryAfterSeconds}`, 'retryAfterSeconds');
    }
    this.rules.push({ remaining: options.count, options: { ...options } });
  }

  setLatency(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new SimulatorUsageError(`setLatency: ms must be >= 0, got ${ms}`, 'ms');
    this.latency = ms;
  }

  revokeAllTokens(): void {
    this.onRevokeTokens();
  }

  setMalformedNext(count: number): void {
    if (!Number.isInteger(count) || count < 0) throw new SimulatorUsageError(`setMalformedNext: count must be an integer >= 0, got ${count}`, 'count');
    this.malformedRemaining = count;
  }

  setFailRate(rate: number, random: () => number): void {
    if (!(Number.isFinite(rate) && rate >= 0 && rate <= 1)) throw new SimulatorUsageError(`setFailRate: rate must be from 0 to 1, got ${rate}`, 'rate');
    this.failRate = rate;
    this.failRandom = random;
  }

  /** The current response delay in ms. */
  latencyMs(): number {
    return this.latency;
  }

  /** Consumes and returns the failure this request must get, if any. */
  takeFailure(route: SimulatorRoute): InjectedFailure | undefined {
    const index = this.rules.findIndex((rule) => (rule.options.endpoint ?? 'any') === 'any' || rule.options.endpoint === route);
    const rule = this.rules[index];
    if (!rule) {
      const eventRoute = route === 'events' || route === 'admin-events';
      return eventRoute && this.failRate > 0 && this.failRandom() < this.failRate ? failureFor({ count: 1, status: 503 }) : undefined;
    }
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    return failureFor(rule.options);
  }

  /** When this event response must be malformed, its body; otherwise undefined. */
  takeMalformedBody(events: readonly MpasEvent[]): string | undefined {
    if (this.malformedRemaining <= 0) return undefined;
    this.malformedRemaining -= 1;
    const kind = this.malformedServed++ % 3;
    const [head, ...rest] = events;
    if (kind === 0 && head) return JSON.stringify([{ ...head, time: new Date(head.time).toISOString() }, ...rest]);
    if (kind === 2) return JSON.stringify(events).slice(0, -1) + ',';
    // An object where an array belongs, as a misrouted request to another endpoint returns.
    return JSON.stringify({ events, total: events.length });
  }
}
