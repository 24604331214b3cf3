import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from './health-tracker.js';
import type { StatusSnapshot } from './status-page-board.js';
import { STATUS_PAGE } from './status-page-html.js';

/** A running health endpoint. */
export interface HealthServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/** What the server answers besides /health. */
export interface HealthServerOptions {
  host: string;
  port: number;
  report: () => HealthReport;
  /** GET /metrics: the Prometheus exposition. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** GET /status.json, read by the status page at GET /. */
  status?: () => StatusSnapshot;
}

/**
 * Serves `GET /health` (and HEAD) for load balancers, orchestrators and monitors: the report as
 * JSON, with 200 when ok and 503 when degraded, so a plain HTTP check needs no JSON parsing.
 * With `metrics`, `GET /metrics` for Prometheus; with `status`, the status page at `GET /` and its
 * figures at `GET /status.json`. Anything else is a 404 naming the paths served. Listens on
 * loopback unless told otherwise: the answers name realms.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const json = (response: ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  const routes: Record<string, (response: ServerResponse) => Promise<void> | void> = {
    '/health': (response) => {
      const report = options.report();
      json(response, report.status === 'ok' ? 200 : 503, report);
    },
  };
  const { metrics, status } = options;
  if (metrics) {
    routes['/metrics'] = async (response) => {
      const { contentType, body } = await metrics();
      response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
    };
  }
  if (status) {
    routes['/status.json'] = (response) => json(response, 200, status());
    routes['/'] = (response) => {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': STATUS_PAGE.contentSecurityPolicy, 'x-content-type-options': 'nosniff' })
        .end(STATUS_PAGE.html);
    };
  }
  const served = Object.keys(routes).map((path) => `GET ${path}`).join(', ');

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return json(response, 404, { error: `not found: ${served}` });
    if (request.method !== 'GET' && request.method !== 'HEAD') return json(response, 405, { error: 'use GET' });
    // HEAD gets the same status and headers: Node's server leaves the body out of its answer.
    Promise.resolve(route(response)).catch((error: unknown) => {
      if (!response.headersSent) json(response, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
