import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForwardMetrics } from '../../../lib/aws/forward-metrics.js';
import { PollMetrics } from '../../../lib/aws/poll-metrics.js';
import { ManualClock } from '../../../lib/core/time/clock.js';
import { MpasUnavailableError } from '../../../lib/sources/mpas/errors.js';

const NOW = Date.UTC(2026, 10, 1, 12);

/** Every EMF document the metrics wrote: each metric with its dimension set, as CloudWatch bills them. */
function emfSeries(lines: string[]): string[] {
  return lines
    .filter((line) => line.startsWith('{"_aws"'))
    .flatMap((line) => {
      const document = JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } };
      return document._aws.CloudWatchMetrics.flatMap(({ Dimensions, Metrics: metrics }) => metrics.map(({ Name }) => `${Name} [${Dimensions.flat().join(',')}]`));
    })
    .sort();
}

describe('the metrics the functions write (each metric and dimension set billed per tenant and hour)', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  const poller = () => {
    const metrics = new Metrics({ namespace: 'MpasLogSync', serviceName: 'mpas-log-sync-poller', defaultDimensions: { tenant: 'acme' } });
    return { metrics, observer: new PollMetrics(metrics, new Logger({ serviceName: 'poller', logLevel: 'SILENT' }), new ManualClock(NOW)) };
  };

  it('writes nothing for an idle poll: no event read, every stream caught up', () => {
    const { metrics, observer } = poller();
    observer.committed('customers', 'user', 0, { time: NOW - 60_000, boundary: [], updatedAt: NOW });
    observer.publish({ status: 'complete', events: 0, failures: [] });
    observer.cursorExpiry('customers', 'user', 0);
    metrics.publishStoredMetrics();
    expect(emfSeries(written)).toEqual([]);
  });

  it('writes a busy poll as one series per metric for the tenant, summed or maximised over realms and streams', () => {
    const { metrics, observer } = poller();
    observer.committed('customers', 'user', 40, { time: NOW - 9_000, boundary: [], updatedAt: NOW });
    observer.committed('staff', 'admin', 20, { time: NOW - 7_000, boundary: [], updatedAt: NOW });
    observer.lateEvents('staff', 'admin', 2);
    observer.leaseLost();
    observer.streamFailed('staff', 'user', new MpasUnavailableError({ route: 'events', attempts: 3, lastStatus: 503 }));
    observer.publish({ status: 'partial', events: 60, failures: [{ realm: 'staff', stream: 'user', error: new Error('503') }] } as never);
    observer.cursorExpiry('staff', 'user', 12.5);
    metrics.publishStoredMetrics();
    expect(emfSeries(written)).toEqual([
      'CursorAgeOfExpiration [service,tenant]',
      'EventsRead [service,tenant]',
      'LagSeconds [service,tenant]',
      'LateEvents [service,tenant]',
      'LeaseLost [service,tenant]',
      'MpasErrors [service,tenant,status]',
    ]);
    const stored = JSON.parse(written.find((line) => line.includes('"EventsRead"'))!) as Record<string, unknown>;
    expect(stored).toMatchObject({ EventsRead: 60, LagSeconds: 7, tenant: 'acme' });
  });

  it('writes deliveries per tenant, and only the SIEM errors and dead letters by their status or reason', () => {
    const metrics = new Metrics({ namespace: 'MpasLogSync', serviceName: 'mpas-log-sync-forwarder', defaultDimensions: { tenant: 'acme' } });
    const observer = new ForwardMetrics(metrics, new Logger({ serviceName: 'forwarder', logLevel: 'SILENT' }), new ManualClock(NOW));
    observer.delivered('customers', 'user', 10, NOW - 3_000);
    observer.delivered('staff', 'admin', 5, NOW - 2_000);
    observer.filtered('customers', 'user', 0);
    observer.sinkRequest(120);
    observer.sinkError({ status: 401, auth: true, reason: 'HTTP 401' } as never);
    observer.deadLettered('rejected-by-siem', 1);
    metrics.publishStoredMetrics();
    expect(emfSeries(written)).toEqual([
      'DeliveredLagSeconds [service,tenant]',
      'EventsDeadLettered [service,tenant,reason]',
      'EventsDelivered [service,tenant]',
      'SiemErrors [service,tenant,status]',
      'SiemLatency [service,tenant]',
    ]);
  });
});
