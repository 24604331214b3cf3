/**
 * Benchmark 5: cold start. Each Lambda entry point bundled the way the stack bundles it
 * (infra/constructs/secure-defaults.ts: esbuild, ESM, minified, the AWS SDK left to the runtime),
 * then its size, and the time a fresh Node process takes to import it and build the handler (the
 * module's top level does both), median of 10 processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { REPO_ROOT } from './support/child-process.js';
import { machineInfo } from './support/machine.js';
import { report } from './support/report.js';
import { median, rounded } from './support/stats.js';

const PROCESSES = Number(process.env['BENCH_COLD_STARTS'] ?? 10);
// Inside the repository (.tmp/ is git-ignored) so that the bundles resolve @aws-sdk/* from
// node_modules, as they resolve it from the Lambda runtime.
const OUT_DIR = join(REPO_ROOT, '.tmp', 'bench-bundles');
const FUNCTIONS = ['poller', 'forwarder'] as const;

async function bundle(name: string): Promise<string> {
  const outfile = join(OUT_DIR, name, 'index.mjs');
  await build({
    entryPoints: [join(REPO_ROOT, 'functions', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return outfile;
}

// The child reads the clock before and after the import; process start-up itself is not counted.
const IMPORT_TIMER = `const start = performance.now(); const m = await import(process.argv[1]); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(performance.now() - start);`;

/** The import time in ms, or why the bundle could not be imported (its error line). */
function importMs(file: string): number | { error: string } {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(file).href], {
    cwd: OUT_DIR,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // What the Lambda runtime sets; the handlers read nothing else at import.
    env: { PATH: process.env['PATH'] ?? '', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'bench' },
  });
  if (result.status === 0) return Number(result.stdout.trim().split('\n').pop());
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
    for (const name of FUNCTIONS) {
      const file = await bundle(name);
      const bytes = (await stat(file)).size;
      const times: number[] = [];
      for (let run = 0; run < PROCESSES; run += 1) {
        const measured = importMs(file);
        if (typeof measured === 'number') {
          times.push(measured);
          continue;
        }
        // A bundle that cannot load is the finding: say why, and go on with the others.
        notes.push(`the ${name} bundle fails to import: ${measured.error}`);
        break;
      }
      if (times.length === 0) {
        rows.push({ function: name, 'bundle KB': rounded(bytes / 1024), 'import + handler ms (median)': 'import failed', processes: 0 });
        continue;
      }
      rows.push({
        function: name,
        'bundle KB': rounded(bytes / 1024),
        'import + handler ms (median)': rounded(median(times)),
        'min ms': rounded(Math.min(...times)),
        'max ms': rounded(Math.max(...times)),
        processes: PROCESSES,
      });
    }
  } finally {
    await rm(OUT_DIR, { recursive: true, force: true });
  }
  report({
    name: 'cold-start',
    description: 'Lambda bundles (esbuild as the stack bundles them) and the time to import one and build its handler in a fresh node',
    machine,
    parameters: { esbuild: { platform: 'node', target: 'node22', format: 'esm', minify: true, external: ['@aws-sdk/*'] }, processes: PROCESSES, awsSdk: 'imported from node_modules (the runtime provides it in Lambda), counted in the import time' },
    rows,
    targets: [],
    notes,
  });
}

await main();
