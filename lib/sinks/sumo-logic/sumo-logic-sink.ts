import { createBatchingHttpSink, wholeRequestOutcome } from '../batching-http-sink.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';
import { endpointUrl } from '../protocol-sink-options.js';
import { SUMO_LOGIC_LIMITS } from '../siem-limits.js';
import type { Sink } from '../sink.js';

/** Settings of the Sumo Logic HTTP Source sink. */
export interface SumoLogicSinkOptions extends ProtocolSinkOptions {
  /** The HTTP Source's token: the last part of its URL, after `/receiver/v1/http/`. */
  token: string;
  /** `X-Sumo-Category`: overrides the source's category. */
  category?: string | undefined;
  /** `X-Sumo-Name`: overrides the source's name. */
  sourceName?: string | undefined;
  /** `X-Sumo-Host`: overrides the source's host. */
  host?: string | undefined;
  /** `X-Sumo-Fields`: `key=value` pairs, comma-separated. */
  fields?: string | undefined;
}

/**
 * Sumo Logic HTTP Source: payloads one per line (JSON envelopes or CEF lines), POSTed to
 * `{url}/receiver/v1/http/{token}` with the `X-Sumo-*` metadata headers. The token sits in
 * the URL path, so it is kept apart from `url` and hidden in every error like any secret.
 * Sumo answers a request as a whole, which the generic classification already says.
 */
export function createSumoLogicSink(options: SumoLogicSinkOptions): Sink {
  const secrets = [options.token, encodeURIComponent(options.token)].filter((text, index, all) => all.indexOf(text) === index);
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (options.category !== undefined) headers['x-sumo-category'] = options.category;
  if (options.sourceName !== undefined) headers['x-sumo-name'] = options.sourceName;
  if (options.host !== undefined) headers['x-sumo-host'] = options.host;
  if (options.fields !== undefined) headers['x-sumo-fields'] = options.fields;
  const url = endpointUrl(options.url, `/receiver/v1/http/${encodeURIComponent(options.token)}`, ['/receiver/v1/http']);
  return createBatchingHttpSink({ name: 'sumo-logic', options, limits: SUMO_LOGIC_LIMITS, secrets }, (connection) => ({
    // One line each: a JSON document or a CEF line never holds a raw newline.
    sizeOf: (event) => Buffer.byteLength(event.payload, 'utf8') + 1,
    send: async (group, signal) => {
      const response = await connection.exchange({ url, headers, body: group.map((event) => event.payload).join('\n') }, signal);
      return wholeRequestOutcome(response, group.length, connection.settings.clock.now());
    },
  }));
}
