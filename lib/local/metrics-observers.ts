import type { Stream } from '../core/events/event-schemas.js';
import type { ForwardObserver } from '../core/forwarder/forward-observer.js';
import type { EventSource } from '../core/poller/event-source.js';
import type { PollObserver } from '../core/poller/poll-observer.js';
import type { PollOutcome } from '../core/poller/poll-tenant.js';
import type { SinkError } from '../sinks/sink.js';
import type { RequestInfo } from '../sources/mpas/http-transport.js';
import type { LocalRunnerOptions } from './local-runner.js';

/**
 * Everything a `run` tells as it goes, in one interface: what the poller and the forwarder
 * report (the same calls the Lambdas turn into CloudWatch metrics), each MPAS page served, each
 * failed SIEM request by route, each MPAS request and each poll's outcome. Every method is optional.
 */
export interface RunWatcher extends PollObserver, ForwardObserver {
  pageRead?(realm: string, stream: Stream): void;
  siemRequestFailed?(route: string, error: SinkError): void;
  mpasRequest?(info: RequestInfo): void;
  pollFinished?(outcome: PollOutcome): void;
}

/**
 * `options` with each of its observers also telling `watchers`, in their order, after the
 * observer `options` already had: the metrics and the status page see what the log and /health see.
 */
export function watchRun(options: LocalRunnerOptions, watchers: readonly RunWatcher[]): LocalRunnerOptions {
  const poll = options.pollObserver ?? {};
  const forward = options.forwardObserver ?? {};
  const each = (tell: (watcher: RunWatcher) => void): void => watchers.forEach(tell);
  const siem = options.siemObserver;
  return {
    ...options,
    pollObserver: {
      leaseBusy: (holder) => (poll.leaseBusy?.(holder), each((w) => w.leaseBusy?.(holder))),
      leaseLost: () => (poll.leaseLost?.(), each((w) => w.leaseLost?.())),
      committed: (realm, stream, events, position) => (poll.committed?.(realm, stream, events, position), each((w) => w.committed?.(realm, stream, events, position))),
      lateEvents: (realm, stream, events) => (poll.lateEvents?.(realm, stream, events), each((w) => w.lateEvents?.(realm, stream, events))),
      streamFailed: (realm, stream, error) => (poll.streamFailed?.(realm, stream, error), each((w) => w.streamFailed?.(realm, stream, error))),
    },
    forwardObserver: {
      delivered: (realm, stream, count, newest) => (forward.delivered?.(realm, stream, count, newest), each((w) => w.delivered?.(realm, stream, count, newest))),
      filtered: (realm, stream, count) => (forward.filtered?.(realm, stream, count), each((w) => w.filtered?.(realm, stream, count))),
      deadLettered: (reason, count) => (forward.deadLettered?.(reason, count), each((w) => w.deadLettered?.(reason, count))),
      sinkRequest: (latencyMs) => (forward.sinkRequest?.(latencyMs), each((w) => w.sinkRequest?.(latencyMs))),
      sinkError: (error) => (forward.sinkError?.(error), each((w) => w.sinkError?.(error))),
    },
    siemObserver: {
      requestFailed: (route, error) => (siem?.requestFailed(route, error), each((w) => w.siemRequestFailed?.(route, error))),
      delivered: (route) => siem?.delivered(route),
    },
    onMpasRequest: (info) => (options.onMpasRequest?.(info), each((w) => w.mpasRequest?.(info))),
    onPoll: (outcome) => (options.onPoll?.(outcome), each((w) => w.pollFinished?.(outcome))),
    wrapSource: (source) => countingPages(options.wrapSource ? options.wrapSource(source) : source, (realm, stream) => each((w) => w.pageRead?.(realm, stream))),
  };
}

/** `source` telling `onPage` of every page it serves (the poll loop itself only reports what it commits). */
function countingPages(source: EventSource, onPage: (realm: string, stream: Stream) => void): EventSource {
  return {
    apiMode: (realm, apiOptions) => source.apiMode(realm, apiOptions),
    ...(source.serverNow ? { serverNow: () => source.serverNow!() } : {}),
    getEvents: async (query, signal) => {
      const events = await source.getEvents(query, signal);
      onPage(query.realm, query.stream);
      return events;
    },
  };
}
