import type { Stream } from '../../lib/core/events/event-schemas.js';
import { BENCH_MPAS_USER, BENCH_REALM } from './local-world.js';

/** What reading a whole backlog straight from the simulator took. */
export interface ServingRate {
  events: number;
  pages: number;
  seconds: number;
}

/**
 * The simulator's own serving rate, the ceiling of any catch-up through it: one client reads
 * every page of both streams in ascending order by offset and reads each body as text, nothing
 * else (no validation, no cursor, no delivery).
 */
export async function measureServingRate(baseUrl: string, pageSize: number, window: { from: number; to: number }): Promise<ServingRate> {
  const tokenResponse = await fetch(`${baseUrl}/realms/master/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', ...BENCH_MPAS_USER }),
  });
  if (!tokenResponse.ok) throw new Error(`serving rate: token request answered ${tokenResponse.status}`);
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const start = performance.now();
  let events = 0;
  let pages = 0;
  for (const stream of ['user', 'admin'] as Stream[]) {
    const path = stream === 'user' ? 'events' : 'admin-events';
    for (let first = 0; ; first += pageSize) {
      const query = new URLSearchParams({ dateFrom: String(window.from), dateTo: String(window.to), direction: 'asc', first: String(first), max: String(pageSize) });
      const response = await fetch(`${baseUrl}/admin/realms/${BENCH_REALM}/${path}?${query}`, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) throw new Error(`serving rate: ${path} answered ${response.status}`);
      const text = await response.text();
      pages += 1;
      // Counting the events by their ids keeps JSON.parse (the client's work) out of the ceiling.
      const count = text === '[]' ? 0 : text.split('"time":').length - 1;
      events += count;
      if (count < pageSize) break;
    }
  }
  return { events, pages, seconds: (performance.now() - start) / 1000 };
}
