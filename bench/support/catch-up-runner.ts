/**
 * The local runner as its own process, for the catch-up and lag benchmarks: reads its settings
 * from the environment (as `mpas-log-sync run` does), runs `runLocal` once (or until SIGTERM in
 * `--live` mode), and prints one JSON line with what it did, how long it took and its peak RSS.
 * Apart from the benchmark process, so the simulator's and the receiver's memory are not counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config/load-config.js';
import { runLocal } from '../../lib/local/local-runner.js';
import { VERSION } from '../../lib/version.js';

const live = process.argv.includes('--live');
const config = loadConfig({ env: process.env });
const stateDir = await mkdtemp(join(tmpdir(), 'mpas-bench-state-'));
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
// RSS once the code is loaded, before any event: what the process costs empty.
const idleRssMb = process.memoryUsage().rss / 2 ** 20;
// CPU from here on: loading the code (tsx compiles it) is not the runner's work per event.
const cpuStart = process.cpuUsage();
const start = performance.now();
try {
  const summary = await runLocal({ config, version: VERSION, stateDir, once: !live, pollIntervalMs: live ? 1000 : undefined, signal: stop.signal });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  process.stdout.write(
    JSON.stringify({
      events: summary.events,
      polls: summary.polls,
      failures: summary.failures,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      idleRssMb,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
} finally {
  await rm(stateDir, { recursive: true, force: true });
}
