/**
 * `npm run bench`: every benchmark, one after the other, each in a fresh Node process (so one's
 * garbage and JIT state cannot slow the next), printing its table and writing
 * bench/results/<name>.json. The cost model runs last: it reads the AWS benchmark's results.
 * A missed target is reported, not an error; a benchmark that fails stops the run.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { REPO_ROOT } from './support/child-process.js';

/** In order; `npm run bench:<name>` runs one. */
export const BENCHMARKS = ['forwarder-hot-path', 'catch-up', 'aws-catch-up', 'lag', 'aws-lag', 'cold-start', 'tenants-scale', 'cost-model'] as const;

const load = loadavg()[0] ?? 0;
console.log(`load average ${load.toFixed(2)} on this machine: figures are medians, ratios are taken within one run`);
for (const name of BENCHMARKS) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['bin/run-ts.js', `bench/${name}.bench.ts`], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${name} failed (exit ${result.status ?? result.signal}); stopping`);
    process.exit(1);
  }
  console.log(`(${name} took ${Math.round((Date.now() - started) / 1000)} s)`);
}
