import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../lib/core/time/clock.js';
import type { Outage } from '../../../lib/local/failure-log.js';
import type { HealthReport } from '../../../lib/local/health-tracker.js';
import { RunMetrics } from '../../../lib/local/metrics-registry.js';
import { MpasUnavailableError } from '../../../lib/sources/mpas/errors.js';

const START = Date.UTC(2026, 10, 22, 8, 0, 0);

function setUp(outages: Outage[] = []) {
  const clock = new ManualClock(START);
  const report: HealthReport = { status: 'ok', lagSeconds: 6, lastSuccessAt: new Date(START - 1_000).toISOString(), lastPoll: null, deadLetters: 0, lateEvents: 0, failing: [], reasons: [] };
  const metrics = new RunMetrics({ clock, lags: () => [{ realm: 'acme', stream: 'user', lagSeconds: 6.5 }, { realm: 'acme', stream: 'admin', lagSeconds: null }], outages: () => outages, health: () => report });
  /** The exposition's samples named `mpas_log_sync_*`, as `name{labels} value` lines (the process metrics left out). */
  const samples = async (): Promise<string[]> => {
    const { body } = await metrics.exposition();
    return body.split('\n').filter((line) => line.startsWith('mpas_log_sync_') && !/^mpas_log_sync_(process|nodejs)_/.test(line));
  };
  return { clock, metrics, samples };
}

describe('RunMetrics', () => {
  it('counts what the poller and the forwarder report under the CloudWatch figures\' Prometheus names, per realm and stream', async () => {
    const { clock, metrics, samples } = setUp();
    metrics.pageRead('acme', 'user');
    metrics.pageRead('acme', 'user');
    metrics.committed('acme', 'user', 120, { time: START - 60_000, boundary: [], updatedAt: START });
    metrics.committed('acme', 'user', 0, { time: START - 60_000, boundary: [], updatedAt: START });
    metrics.lateEvents('acme', 'user', 2);
    metrics.delivered('acme', 'user', 118, START - 3_000);
    metrics.filtered('acme', 'user', 2);
    metrics.deadLettered('rejected-by-siem', 1);
    metrics.sinkRequest(40);
    metrics.streamFailed('acme', 'admin', new MpasUnavailableError({ route: 'admin-events', attempts: 5, lastStatus: 503 }));
    metrics.pollFinished({ status: 'partial', events: 120, failures: [] });
    clock.advance(1_000);
    const lines = await samples();
    expect(lines).toEqual(
      expect.arrayContaining([
        'mpas_log_sync_pages_total{realm="acme",stream="user"} 2',
        'mpas_log_sync_events_read_total{realm="acme",stream="user"} 120',
        'mpas_log_sync_batches_enqueued_total{realm="acme",stream="user"} 1',
        'mpas_log_sync_late_events_total{realm="acme",stream="user"} 2',
        'mpas_log_sync_events_delivered_total{realm="acme",stream="user"} 118',
        'mpas_log_sync_delivered_lag_seconds{realm="acme",stream="user"} 3',
        'mpas_log_sync_events_filtered_total{realm="acme",stream="user"} 2',
        'mpas_log_sync_events_dead_lettered_total{reason="rejected-by-siem"} 1',
        'mpas_log_sync_stream_failures_total{realm="acme",stream="admin",status="503"} 1',
        'mpas_log_sync_siem_request_duration_seconds_bucket{le="0.05"} 1',
        'mpas_log_sync_siem_request_duration_seconds_count 1',
        'mpas_log_sync_polls_total{status="partial"} 1',
        'mpas_log_sync_lag_seconds{realm="acme",stream="user"} 6.5',
        'mpas_log_sync_lease_held 1',
        'mpas_log_sync_healthy 1',
        `mpas_log_sync_last_success_timestamp_seconds ${(START - 1_000) / 1000}`,
      ]),
    );
    // A stream not delivered up to any moment yet has no lag, rather than a made-up one.
    expect(lines.some((line) => line.startsWith('mpas_log_sync_lag_seconds{realm="acme",stream="admin"}'))).toBe(false);
  });

  it('counts failed attempts by side (only the MPAS answers the transport retries), SIEM errors by status and auth refusals, and what fails now', async () => {
    const { metrics, samples } = setUp([{ side: 'SIEM', name: 'route default', cause: 'HTTP 503', since: START, attempts: 2 }]);
    metrics.siemRequestFailed('default');
    metrics.siemRequestFailed('default');
    metrics.sinkError({ status: 503, reason: 'HTTP 503: busy', auth: false });
    metrics.sinkError({ reason: 'timeout after 10000 ms', auth: false });
    metrics.sinkError({ status: 401, reason: 'HTTP 401', auth: true });
    metrics.mpasRequest({ route: 'events', status: 503, durationMs: 2, failure: 'HTTP 503: down' });
    metrics.mpasRequest({ route: 'events', durationMs: 2, failure: 'a timeout' });
    metrics.mpasRequest({ route: 'events', status: 403, durationMs: 2, failure: 'HTTP 403: forbidden' });
    metrics.mpasRequest({ route: 'events', status: 200, durationMs: 2 });
    metrics.leaseLost();
    const lines = await samples();
    expect(lines).toEqual(
      expect.arrayContaining([
        'mpas_log_sync_failed_attempts_total{side="siem",target="route default"} 2',
        'mpas_log_sync_failed_attempts_total{side="mpas",target="events endpoint"} 2',
        'mpas_log_sync_siem_errors_total{status="503"} 1',
        'mpas_log_sync_siem_errors_total{status="timeout"} 1',
        'mpas_log_sync_siem_errors_total{status="401"} 1',
        'mpas_log_sync_siem_auth_errors_total 1',
        'mpas_log_sync_failing{side="siem",target="route default"} 1',
        'mpas_log_sync_lease_lost_total 1',
        'mpas_log_sync_lease_held 0',
      ]),
    );
  });

  it('answers in the Prometheus text format, with help and type lines and Node\'s process metrics, one registry per run', async () => {
    const first = setUp();
    const second = setUp();
    first.metrics.pageRead('acme', 'user');
    const { contentType, body } = await first.metrics.exposition();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('# TYPE mpas_log_sync_events_read_total counter');
    expect(body).toContain('# HELP mpas_log_sync_pages_total Event pages MPAS served (CloudWatch Pages).');
    expect(body).toMatch(/^mpas_log_sync_process_resident_memory_bytes \d+/m);
    expect(await second.samples()).not.toContain('mpas_log_sync_pages_total{realm="acme",stream="user"} 1');
  });
});
