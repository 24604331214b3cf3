/**
 * undici's `request()` and `Agent`, loaded from the package's own files without its index. The
 * index evaluates all of undici (fetch, WebSocket, the caches, the mock agents, the proxy agents):
 * 520 KB of the poller's bundle, where these parts are a third of it. A Lambda reads and compiles
 * every byte of its bundle at a cold start (bench/cold-start.bench.ts). undici has no `exports`
 * map, so these files are the package's public layout; test/unit/net/undici-core.test.ts holds
 * them to the index's behaviour, so an upgrade that moves them fails there.
 */
import type { Agent as UndiciAgent, Dispatcher } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import dispatchRequest from 'undici/lib/api/api-request.js';
import { getGlobalDispatcher } from 'undici/lib/global.js';

/** undici's Agent: a pool of connections per origin. */
export const Agent: typeof UndiciAgent = AgentClass;
export type Agent = UndiciAgent;

/** What {@link request} takes: undici's options with the dispatcher to send through. */
export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher?: Dispatcher | undefined };

/**
 * undici's top-level `request(url, options)`: the URL split into origin and path, sent through
 * `options.dispatcher` or undici's global dispatcher, as the index does.
 */
export function request(url: string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { dispatcher = getGlobalDispatcher(), ...rest } = options;
  const parsed = new URL(url);
  return dispatchRequest.call(dispatcher, { ...rest, origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` });
}
