/**
 * What each part of a Lambda bundle costs at a cold start: each function bundled as
 * bench/cold-start.bench.ts bundles it, then imported by fresh Node processes under the CPU
 * profiler, and the samples taken during the import (handler build included) attributed through
 * the source map to the module whose code ran: a package of node_modules (the AWS SDK, external
 * as in Lambda, included), or a file of this repository. Self time: a zod schema built at a
 * module's top level counts for zod, the module's own statements for the module (see
 * costByModule for Node's own work).
 *
 *   node bin/run-ts.js bench/import-costs.ts [poller|forwarder] [--processes N] [--top N] [--files]
 *
 * The bundle is not minified here (the line of each sample then names its module); the code and
 * the modules evaluated are those of the deployed bundle. Profiling slows the import down: read
 * the shares, and bench/cold-start.bench.ts for the time itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { REPO_ROOT } from './support/child-process.js';
import { LAMBDA_FUNCTIONS, stackBuildOptions } from './support/lambda-bundle.js';
import type { LambdaFunctionName } from './support/lambda-bundle.js';
import { printTable } from './support/report.js';
import { rounded } from './support/stats.js';

const OUT_DIR = join(REPO_ROOT, '.tmp', 'import-costs');
// The profiler's clock is the monotonic one process.hrtime reads: the child prints the import's
// window on it, in microseconds, so the samples of process start-up are left out.
const PROFILED_IMPORT = `const start = process.hrtime.bigint() / 1000n; const m = await import(process.argv[1]); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(JSON.stringify({ start: Number(start), end: Number(process.hrtime.bigint() / 1000n) }));`;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  positionTicks?: Array<{ line: number; ticks: number }>;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The package of a node_modules path (`@aws-sdk/client-s3`, `zod`), or the repository-relative path. */
export function moduleOf(path: string): string {
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules === -1) return relative(REPO_ROOT, path);
  const [first = '', second = ''] = path.slice(inModules + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
}

/** A file's group in the summary: its package, or its folder of the repository (`lib/sinks`). */
export function groupOf(module: string): string {
  if (!module.startsWith('lib/') && !module.startsWith('functions/')) return module;
  const parts = module.split('/');
  return parts.slice(0, Math.min(parts.length - 1, 2)).join('/');
}

/** A module's file; not the timing script (`-e`), which only starts the import. */
function isModuleUrl(url: string): boolean {
  return url.startsWith('file:') && !url.endsWith(']');
}

/**
 * Milliseconds per module, for the samples of one profile inside [start, end] (µs). Node's own
 * work (resolving, reading and compiling a module, a built-in's code) counts for the nearest
 * caller that is a module of the bundle or of node_modules: a `require` of the AWS SDK counts for
 * the SDK package that asked for it; what no module asked for (linking the bundle and its static
 * imports, compiling it) counts as the loader's.
 */
function costByModule(profile: CpuProfile, bundle: string, map: SourceMap, window: { start: number; end: number }): Map<string, number> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const bundleUrl = pathToFileURL(bundle).href;
  const msOf = new Map<number, number>();
  let time = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (time < window.start || time > window.end) return;
    msOf.set(id, (msOf.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? delta) / 1000);
  });
  const costs = new Map<string, number>();
  const add = (module: string, ms: number) => costs.set(module, (costs.get(module) ?? 0) + ms);
  const sourceAt = (line: number, column: number): string => {
    const entry = map.findEntry(line, column);
    return 'originalSource' in entry && entry.originalSource !== undefined ? moduleOf(fileURLToPath(new URL(entry.originalSource, bundleUrl))) : 'esbuild helpers and banner (unmapped)';
  };
  const moduleCalling = (id: number): string => {
    for (let at: number | undefined = parents.get(id); at !== undefined; at = parents.get(at)) {
      const { url, lineNumber, columnNumber } = nodes.get(at)!.callFrame;
      if (url === bundleUrl) return sourceAt(lineNumber, columnNumber);
      if (isModuleUrl(url)) return moduleOf(fileURLToPath(url));
    }
    return 'node: loading, linking and compiling the bundle and its static imports';
  };
  for (const [id, ms] of msOf) {
    const { callFrame, positionTicks } = nodes.get(id)!;
    if (callFrame.url === bundleUrl) {
      // A function's own lines can span modules (the top level runs every module's statements):
      // its time goes to the module of each line it was seen on.
      const ticks = positionTicks ?? [];
      const total = ticks.reduce((sum, { ticks: count }) => sum + count, 0);
      if (total === 0) add(sourceAt(callFrame.lineNumber, callFrame.columnNumber), ms);
      for (const { line, ticks: count } of ticks) add(sourceAt(line - 1, 0), (ms * count) / total);
    } else if (isModuleUrl(callFrame.url)) {
      add(moduleOf(fileURLToPath(callFrame.url)), ms);
    } else if (callFrame.functionName === '(garbage collector)' || callFrame.functionName === '(program)' || callFrame.functionName === '(idle)') {
      add(callFrame.functionName, ms);
    } else {
      add(moduleCalling(id), ms);
    }
  }
  return costs;
}

/** One profiled import of `bundle` in a fresh process: self time per module, in ms. */
async function profiledImport(bundle: string, map: SourceMap, profileDir: string): Promise<Map<string, number>> {
  await rm(profileDir, { recursive: true, force: true });
  const result = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=250', '--input-type=module', '-e', PROFILED_IMPORT, pathToFileURL(bundle).href], {
    cwd: dirname(bundle),
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'bench' },
  });
  if (result.status !== 0) throw new Error(`the bundle failed to import: ${result.stderr.split('\n').find((line) => /Error\b/.test(line)) ?? result.status}`);
  const window = JSON.parse(result.stdout.trim().split('\n').pop()!) as { start: number; end: number };
  const [file] = await readdir(profileDir);
  const profile = JSON.parse(await readFile(join(profileDir, file!), 'utf8')) as CpuProfile;
  return costByModule(profile, bundle, map, window);
}

/** Sums per key, divided by `count`: the mean per process. */
function meanOf(runs: ReadonlyArray<Map<string, number>>, keyOf: (module: string) => string): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const run of runs) for (const [module, ms] of run) totals.set(keyOf(module), (totals.get(keyOf(module)) ?? 0) + ms);
  return [...totals].map(([key, ms]): [string, number] => [key, ms / runs.length]).sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { processes: { type: 'string', default: '5' }, top: { type: 'string', default: '25' }, files: { type: 'boolean', default: false } },
  });
  const names = positionals.length === 0 ? LAMBDA_FUNCTIONS : positionals.map((name) => {
    if (!(LAMBDA_FUNCTIONS as readonly string[]).includes(name)) throw new Error(`unknown function ${JSON.stringify(name)}: one of ${LAMBDA_FUNCTIONS.join(', ')}`);
    return name as LambdaFunctionName;
  });
  const processes = Number(values.processes);
  const top = Number(values.top);
  await rm(OUT_DIR, { recursive: true, force: true });
  try {
    for (const name of names) {
      const bundle = join(OUT_DIR, name, 'index.mjs');
      await mkdir(dirname(bundle), { recursive: true });
      await build({ ...stackBuildOptions(), minify: false, entryPoints: [join(REPO_ROOT, 'functions', `${name}.ts`)], outfile: bundle });
      const map = new SourceMap(JSON.parse(await readFile(`${bundle}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
      const runs: Array<Map<string, number>> = [];
      for (let run = 0; run < processes; run += 1) runs.push(await profiledImport(bundle, map, resolve(OUT_DIR, name, `profile-${run}`)));
      const total = meanOf(runs, () => 'total')[0]?.[1] ?? 0;
      const rows = (entries: Array<[string, number]>, column: string) =>
        entries.slice(0, top).map(([key, ms]) => ({ [column]: key, 'self ms (profiled)': rounded(ms), share: `${Math.round((ms / total) * 100)}%` }));
      printTable(`${name}: the import's CPU samples by package or repository folder, mean of ${processes} profiled processes (${rounded(total)} ms sampled)`, rows(meanOf(runs, groupOf), 'package or folder'));
      if (values.files) printTable(`${name}: by file or package`, rows(meanOf(runs, (module) => module), 'file or package'));
    }
  } finally {
    await rm(OUT_DIR, { recursive: true, force: true });
  }
}

await main();
