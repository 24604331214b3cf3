import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from './health-tracker.js';

/** A running health endpoint. */
export interface HealthServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /health` (and HEAD) for load balancers, orchestrators and monitors: the report as
 * JSON, with 200 when ok and 503 when degraded, so a plain HTTP check needs no JSON parsing.
 * Anything else is a 404. Listens on loopback unless told otherwise: the report names realms.
 */
export async function startHealthServer(options: { host: string; port: number; report: () => HealthReport }): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/health' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === '/health' ? 405 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: path === '/health' ? 'use GET' : 'not found: GET /health' }));
      return;
    }
    const report = options.report();
    const body = JSON.stringify(report);
    response.writeHead(report.status === 'ok' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : body);
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
