/**
 * Benchmark 5: cold start. Each Lambda entry point bundled by the stack's own function
 * (infra/constructs/function-bundle.ts through bench/support/lambda-bundle.ts: esbuild, ESM,
 * minified, the AWS SDK bundled, split into an entry file and chunks), then the size of what a cold
 * start reads (the entry file and the chunks it imports statically; the chunks imported dynamically
 * are read when the code needs them), and the time a fresh Node process takes to import the entry
 * file and build the handler (the module's top level does both), median of 10 processes,
 * with the NODE_OPTIONS the stack sets (infra/constructs/tenant-function.ts). The CPU time of the
 * same import is reported beside it: on a busy machine it moves far less than the wall time.
 * bench/import-costs.ts says what the time is spent on.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './support/child-process.js';
import { bundleLambda, LAMBDA_FUNCTIONS } from './support/lambda-bundle.js';
import { BUNDLING } from '../infra/constructs/secure-defaults.js';
import { machineInfo } from './support/machine.js';
import { report } from './support/report.js';
import { median, rounded } from './support/stats.js';

const PROCESSES = Number(process.env['BENCH_COLD_STARTS'] ?? 10);
const OUT_DIR = join(REPO_ROOT, '.tmp', 'bench-bundles');
/** What infra/constructs/tenant-function.ts sets in every function's environment. */
const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

// The child reads the clocks before and after the import; process start-up itself is not counted.
const IMPORT_TIMER = `const start = performance.now(); const cpu = process.cpuUsage(); const m = await import(process.argv[1]); if (typeof m.handler !== 'function') throw new Error('no handler'); const used = process.cpuUsage(cpu); console.log(JSON.stringify({ wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 }));`;

interface ImportTime {
  wallMs: number;
  cpuMs: number;
}

/** The import's times, or why the bundle could not be imported (its error line). */
function importTime(file: string): ImportTime | { error: string } {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href], {
    cwd: OUT_DIR,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // What the Lambda runtime and the stack set; the handlers read nothing else at import.
    env: { PATH: process.env['PATH'] ?? '', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'bench', NODE_OPTIONS: LAMBDA_NODE_OPTIONS },
  });
  if (result.status === 0) return JSON.parse(result.stdout.trim().split('\n').pop()!) as ImportTime;
  const reason = result.stderr.split('\n').find((line) => line.length < 300 && /^\w*Error\b/.test(line));
  return { error: reason ?? `exit ${result.status ?? result.signal}` };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const rows = [];
  const notes: string[] = [];
  try {
    for (const name of LAMBDA_FUNCTIONS) {
      const bundle = bundleLambda(name, OUT_DIR);
      const file = bundle.entryFile;
      const sizes = await Promise.all(bundle.coldStartFiles.map(async (coldStartFile) => (await stat(coldStartFile)).size));
      const bytes = sizes.reduce((sum, size) => sum + size, 0);
      const times: ImportTime[] = [];
      for (let run = 0; run < PROCESSES; run += 1) {
        const measured = importTime(file);
        if (!('error' in measured)) {
          times.push(measured);
          continue;
        }
        // A bundle that cannot load is the finding: say why, and go on with the others.
        notes.push(`the ${name} bundle fails to import: ${measured.error}`);
        break;
      }
      if (times.length === 0) {
        rows.push({ function: name, 'bundle KB': rounded(bytes / 1024), 'files read': sizes.length, 'import + handler ms (median)': 'import failed', processes: 0 });
        continue;
      }
      const wall = times.map((time) => time.wallMs);
      rows.push({
        function: name,
        'bundle KB': rounded(bytes / 1024),
        'files read': sizes.length,
        'import + handler ms (median)': rounded(median(wall)),
        'min ms': rounded(Math.min(...wall)),
        'max ms': rounded(Math.max(...wall)),
        'CPU ms (median)': rounded(median(times.map((time) => time.cpuMs))),
        processes: PROCESSES,
      });
    }
  } finally {
    await rm(OUT_DIR, { recursive: true, force: true });
  }
  const { target, format, minify, external, sourcemap } = BUNDLING;
  report({
    name: 'cold-start',
    description: 'Lambda bundles (esbuild as the stack bundles them) and the time to import one and build its handler in a fresh node',
    machine,
    parameters: { esbuild: { platform: 'node', target, format, minify, sourcemap, external, splitting: true }, bundleKb: 'what a cold start reads: the entry file and the chunks it imports statically (files read), not the chunks it imports dynamically', nodeOptions: LAMBDA_NODE_OPTIONS, processes: PROCESSES, awsSdk: 'bundled (infra/constructs/secure-defaults.ts), counted in the import time' },
    rows,
    targets: rows.map((row) => ({
      target: `${String(row.function)}: import + handler under 150 ms (median)`,
      measured: `${String(row['import + handler ms (median)'])} ms`,
      met: typeof row['import + handler ms (median)'] === 'number' && row['import + handler ms (median)'] < 150,
    })),
    notes,
  });
}

await main();
