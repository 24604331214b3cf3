import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../lib/config/app-config-schema.js';
import type { EventSource } from '../../../lib/core/poller/event-source.js';
import { watchRun } from '../../../lib/local/metrics-observers.js';
import type { RunWatcher } from '../../../lib/local/metrics-observers.js';

describe('watchRun', () => {
  it('tells each watcher, in order, after the observers the options had, and counts the pages the wrapped source serves', async () => {
    const told: string[] = [];
    const watcher = (name: string): RunWatcher => ({
      committed: (realm, stream, events) => told.push(`${name} committed ${realm} ${stream} ${events}`),
      deadLettered: (reason, count) => told.push(`${name} dead-lettered ${reason} ${count}`),
      siemRequestFailed: (route) => told.push(`${name} siem failed ${route}`),
      mpasRequest: (info) => told.push(`${name} mpas ${info.route} ${info.status}`),
      pollFinished: (outcome) => told.push(`${name} poll ${outcome.status}`),
      pageRead: (realm, stream) => told.push(`${name} page ${realm} ${stream}`),
    });
    const options = watchRun(
      {
        config: {} as AppConfig,
        version: 'test',
        pollObserver: { committed: (realm, stream, events) => told.push(`run committed ${realm} ${stream} ${events}`) },
        forwardObserver: { deadLettered: (reason, count) => told.push(`run dead-lettered ${reason} ${count}`) },
        siemObserver: { requestFailed: (route) => told.push(`run siem failed ${route}`), delivered: (route) => told.push(`run siem delivered ${route}`) },
        onMpasRequest: (info) => told.push(`run mpas ${info.route} ${info.status}`),
        onPoll: (outcome) => told.push(`run poll ${outcome.status}`),
      },
      [watcher('a'), watcher('b')],
    );
    options.pollObserver!.committed!('acme', 'user', 3, { time: 1, boundary: [], updatedAt: 1 });
    options.forwardObserver!.deadLettered!('invalid-event', 1);
    options.siemObserver!.requestFailed('default', { status: 503, reason: 'HTTP 503', auth: false });
    options.siemObserver!.delivered('default');
    options.onMpasRequest!({ route: 'events', status: 200, durationMs: 1 });
    options.onPoll!({ status: 'complete', events: 3, failures: [] });
    const source: EventSource = { apiMode: async () => 'modern', getEvents: async () => [] };
    await options.wrapSource!(source).getEvents({ realm: 'acme', stream: 'admin' } as Parameters<EventSource['getEvents']>[0]);
    expect(told).toEqual([
      'run committed acme user 3', 'a committed acme user 3', 'b committed acme user 3',
      'run dead-lettered invalid-event 1', 'a dead-lettered invalid-event 1', 'b dead-lettered invalid-event 1',
      'run siem failed default', 'a siem failed default', 'b siem failed default',
      'run siem delivered default',
      'run mpas events 200', 'a mpas events 200', 'b mpas events 200',
      'run poll complete', 'a poll complete', 'b poll complete',
      'a page acme admin', 'b page acme admin',
    ]);
  });
});
