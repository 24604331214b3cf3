/**
 * Benchmark 4: lag. The simulator produces a steady 200 events/s for 60 s (each event committed
 * 0-250 ms after its `time`, as Keycloak does); the local runner (its own process, polling every
 * second with the default 5 s settle window) delivers them to the receiver. The delay between an
 * event's `time` and its arrival at the receiver: p50, p99, max.
 */
import { lastJsonLine, runTs } from './support/child-process.js';
import { BENCH_REALM, runnerEnv, startLocalWorld } from './support/local-world.js';
import { machineInfo } from './support/machine.js';
import { report } from './support/report.js';
import { percentile, rounded } from './support/stats.js';

const RATE = Number(process.env['BENCH_LAG_RATE'] ?? 200);
const DURATION_MS = Number(process.env['BENCH_LAG_SECONDS'] ?? 60) * 1000;
const SETTLE_MS = 5000;
const POLL_INTERVAL_MS = 1000;

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const world = await startLocalWorld();
  const delays: number[] = [];
  const unsubscribe = world.receiver.onReceive((item) => {
    const time = (item.json as { event?: { time?: number } } | undefined)?.event?.time;
    if (typeof time === 'number') delays.push(item.receivedAt - time);
  });
  try {
    const startFrom = Date.now();
    const runner = runTs('bench/support/catch-up-runner.ts', ['--live'], runnerEnv(world, { startFrom, pageSize: 1000, settleMs: SETTLE_MS }));
    const stopTraffic = world.simulator.startLiveTraffic({ eventsPerSecond: RATE, realm: BENCH_REALM, seed: 7 });
    await new Promise((resolve) => setTimeout(resolve, DURATION_MS));
    stopTraffic();
    const produced = world.simulator.count(BENCH_REALM, 'user') + world.simulator.count(BENCH_REALM, 'admin');
    // Everything produced must arrive: the settle window, a poll interval and delivery.
    const complete = await waitUntil(() => world.receiver.stats().itemsAccepted >= produced, SETTLE_MS + 30_000);
    runner.process.kill('SIGTERM');
    const summary = lastJsonLine<{ events: number; peakRssMb: number }>(await runner.done);
    if (!complete) throw new Error(`lag: ${world.receiver.stats().itemsAccepted} of ${produced} events arrived`);
    const p50 = percentile(delays, 50);
    const p99 = percentile(delays, 99);
    const max = Math.max(...delays);
    const target = SETTLE_MS + 5000;
    report({
      name: 'lag',
      description: `${RATE} events/s for ${DURATION_MS / 1000} s, local runner polling every ${POLL_INTERVAL_MS / 1000} s, settle ${SETTLE_MS / 1000} s`,
      machine,
      parameters: { eventsPerSecond: RATE, seconds: DURATION_MS / 1000, settleMs: SETTLE_MS, pollIntervalMs: POLL_INTERVAL_MS, commitDelayMs: [0, 250], siemBatch: 'ndjson' },
      rows: [{ events: delays.length, 'p50 ms': rounded(p50), 'p99 ms': rounded(p99), 'max ms': rounded(max), 'runner peak RSS MB': rounded(summary.peakRssMb) }],
      targets: [{ target: `p99 <= settle + 5 s (${target} ms)`, measured: `${rounded(p99)} ms`, met: p99 <= target }],
      notes: ['the floor of the lag is the settle window: an event is read only once it is older than now - settle'],
    });
  } finally {
    unsubscribe();
    await world.close();
  }
}

await main();
