// Loaded into every Node process of a measured command (NODE_OPTIONS=--import=<this file>): at its
// exit, the process writes its own peak RSS and CPU time to BENCH_PROCESS_USAGE_DIR/<pid>.json, so
// a benchmark can tell the processes a command starts (a CLI, its launchers, the app) apart.
// Plain JavaScript: it runs before any TypeScript loader is registered.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const directory = process.env['BENCH_PROCESS_USAGE_DIR'];
if (directory) {
  process.once('exit', () => {
    const usage = process.resourceUsage();
    const record = {
      pid: process.pid,
      script: process.argv[1] ?? '',
      maxRssKiB: usage.maxRSS,
      userMs: usage.userCPUTime / 1000,
      systemMs: usage.systemCPUTime / 1000,
      wallMs: performance.now(),
    };
    writeFileSync(join(directory, `${process.pid}.json`), JSON.stringify(record));
  });
}
