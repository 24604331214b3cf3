/**
 * Benchmark: hundreds of tenants. `cdk synth` of the real app (infra/bin/app.ts, through the
 * aws-cdk CLI and cdk.json's app command, cdk-nag included) over 10, 100 and 500 generated tenant
 * files (BENCH_TENANTS=10,100,500 overrides the sizes), each in a fresh process tree, the files
 * in a temporary directory given by `-c tenantsDir=`. For each size: wall time, the CPU time and
 * peak RSS of every Node process of the command (bench/support/process-usage-recorder.mjs, loaded
 * by NODE_OPTIONS), the load average before and after, templates and their bytes, resources,
 * outputs and parameters per stack, how often esbuild bundled and how many distinct Lambda code
 * assets the templates name, and what one tenant adds against the account's quotas (docs/scale.md).
 * Then a straight line through the points per measure, and whether the step from the middle size
 * to the largest costs more per tenant than the step before it (not linear).
 *
 * The tenants are the example tenant's file under generated names, all in its one account and
 * region: the case where the account's quotas are met first.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { REPO_ROOT } from './support/child-process.js';
import { machineInfo } from './support/machine.js';
import { report } from './support/report.js';
import type { BenchResult, Row } from './support/report.js';
import { tenantInventory } from './support/stack-inventory.js';
import type { Inventory, StackTemplate } from './support/stack-inventory.js';
import { rounded } from './support/stats.js';

/** CloudFormation's stacks per account and region (default, adjustable) and resources per stack (fixed). */
const STACKS_PER_ACCOUNT = 2000;
const RESOURCES_PER_STACK = 500;
/** The default run must end within this on a loaded two-core machine. */
const RUN_BUDGET_SECONDS = 600;

const sizesSchema = z
  .string()
  .transform((text) => text.split(',').map((part) => Number(part.trim())))
  .pipe(z.array(z.number().int().min(1).max(STACKS_PER_ACCOUNT)).min(1));

/** The tenant counts to synthesize, from BENCH_TENANTS (comma-separated) or 10, 100 and 500. */
function tenantCounts(): number[] {
  const parsed = sizesSchema.safeParse(process.env['BENCH_TENANTS'] ?? '10,100,500');
  if (!parsed.success) throw new Error(`BENCH_TENANTS: must be tenant counts from 1 to ${STACKS_PER_ACCOUNT}, separated by commas (such as 10,100,500)`);
  return [...new Set(parsed.data)].sort((a, b) => a - b);
}

const CDK_CLI = join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const RECORDER = pathToFileURL(join(REPO_ROOT, 'bench', 'support', 'process-usage-recorder.mjs')).href;
const EXAMPLE_TENANT = JSON.parse(readFileSync(join(REPO_ROOT, 'infra', 'tenants', 'example.json'), 'utf8')) as unknown;

const tenantName = (index: number, count: number): string => `tenant-${String(index + 1).padStart(String(count).length, '0')}`;

/** What one Node process of the command used (bench/support/process-usage-recorder.mjs). */
interface ProcessUsage {
  pid: number;
  script: string;
  maxRssKiB: number;
  userMs: number;
  systemMs: number;
  wallMs: number;
}

/** The app is the process whose script is infra/bin/app.ts; the CLI is aws-cdk's; the rest launch the app (npx, tsx). */
function roleOf(usage: ProcessUsage): 'app' | 'cli' | 'launcher' {
  if (usage.script.endsWith(join('infra', 'bin', 'app.ts'))) return 'app';
  if (usage.script.includes(join('aws-cdk', 'bin'))) return 'cli';
  return 'launcher';
}

interface Command {
  wallMs: number;
  output: string;
}

/** Runs the CLI to completion; rejects with the end of its output when it fails. */
function runCommand(args: readonly string[], env: Record<string, string>): Promise<Command> {
  const started = performance.now();
  const child = spawn(process.execPath, [CDK_CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve({ wallMs: performance.now() - started, output });
      else reject(new Error(`cdk synth exited with ${code ?? signal}: ${output.slice(-3000)}`));
    });
  });
}

interface StackFigures {
  name: string;
  kind: 'data' | 'service' | 'operator';
  bytes: number;
  resources: number;
  outputs: number;
  /** Outputs exported for another stack (strong cross-stack references): an account-wide quota. */
  exports: number;
  parameters: number;
}

/** One size's measurements. */
interface SizeResult {
  tenants: number;
  load: { before: number[]; after: number[] };
  wallSeconds: number;
  processes: Record<'app' | 'cli' | 'launcher', { count: number; cpuSeconds: number; peakRssMiB: number; wallSeconds: number }>;
  stacks: StackFigures[];
  templateBytes: number;
  assemblyBytes: number;
  bundlingRuns: number;
  lambdaFunctions: number;
  distinctLambdaCode: number;
  codeAssetBytes: number;
  reservedConcurrency: number;
  perTenant: Inventory & { roles: number; resources: number; reservedConcurrency: number };
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const loadNow = (): number[] => loadavg().map((value) => Math.round(value * 100) / 100);

function directoryBytes(path: string): number {
  return readdirSync(path, { withFileTypes: true }).reduce(
    (total, entry) => total + (entry.isDirectory() ? directoryBytes(join(path, entry.name)) : statSync(join(path, entry.name)).size),
    0,
  );
}

function kindOf(stackName: string): StackFigures['kind'] {
  if (stackName.startsWith('mpas-log-sync-operator-')) return 'operator';
  return stackName.endsWith('-data') ? 'data' : 'service';
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

async function measure(tenants: number): Promise<SizeResult> {
  const root = mkdtempSync(join(tmpdir(), 'tenants-scale-'));
  try {
    const tenantsDir = join(root, 'tenants');
    const outDir = join(root, 'cdk.out');
    const usageDir = join(root, 'usage');
    for (const dir of [tenantsDir, usageDir]) mkdirSync(dir);
    for (let index = 0; index < tenants; index += 1) writeFileSync(join(tenantsDir, `${tenantName(index, tenants)}.json`), JSON.stringify(EXAMPLE_TENANT));

    const before = loadNow();
    const nodeOptions = `${process.env['NODE_OPTIONS'] ?? ''} --import=${RECORDER}`.trim();
    const command = await runCommand(['synth', '--quiet', '-c', `tenantsDir=${tenantsDir}`, '-o', outDir], { NODE_OPTIONS: nodeOptions, BENCH_PROCESS_USAGE_DIR: usageDir });
    const after = loadNow();

    const usages = readdirSync(usageDir).map((file) => JSON.parse(readFileSync(join(usageDir, file), 'utf8')) as ProcessUsage);
    const processes = Object.fromEntries(
      (['app', 'cli', 'launcher'] as const).map((role) => {
        const mine = usages.filter((usage) => roleOf(usage) === role);
        return [
          role,
          {
            count: mine.length,
            cpuSeconds: round1(mine.reduce((total, usage) => total + usage.userMs + usage.systemMs, 0) / 1000),
            peakRssMiB: Math.round(Math.max(0, ...mine.map((usage) => usage.maxRssKiB)) / 1024),
            wallSeconds: round1(Math.max(0, ...mine.map((usage) => usage.wallMs)) / 1000),
          },
        ];
      }),
    ) as SizeResult['processes'];
    if (processes.app.count !== 1) throw new Error(`expected one app process, found ${processes.app.count}: ${usages.map((usage) => usage.script).join(', ')}`);

    const templateFiles = readdirSync(outDir).filter((file) => file.endsWith('.template.json'));
    const parsed = templateFiles.map((file) => {
      const text = readFileSync(join(outDir, file), 'utf8');
      return { stackName: file.replace(/\.template\.json$/, ''), bytes: Buffer.byteLength(text), template: JSON.parse(text) as StackTemplate & { Outputs?: Record<string, { Export?: unknown }>; Parameters?: object } };
    });
    const stacks: StackFigures[] = parsed.map(({ stackName, bytes, template }) => ({
      name: stackName,
      kind: kindOf(stackName),
      bytes,
      resources: Object.keys(template.Resources ?? {}).length,
      outputs: Object.keys(template.Outputs ?? {}).length,
      exports: Object.values(template.Outputs ?? {}).filter((output) => output.Export !== undefined).length,
      parameters: Object.keys(template.Parameters ?? {}).length,
    }));
    const resources = (template: StackTemplate): Resource[] => Object.values(template.Resources ?? {}) as Resource[];
    const functions = parsed.flatMap(({ template }) => resources(template).filter((resource) => resource.Type === 'AWS::Lambda::Function'));
    const codeOf = (resource: Resource): string => JSON.stringify((resource.Properties?.['Code'] as { S3Key?: unknown } | undefined)?.S3Key);
    const reserved = (list: Resource[]): number => list.reduce((total, resource) => total + Number(resource.Properties?.['ReservedConcurrentExecutions'] ?? 0), 0);
    const assetDirs = readdirSync(outDir).filter((file) => file.startsWith('asset.'));

    const first = tenantName(0, tenants);
    const own = parsed.filter(({ stackName }) => stackName === `mpas-log-sync-${first}-data` || stackName === `mpas-log-sync-${first}-service`);
    const ownResources = own.flatMap(({ template }) => resources(template));
    return {
      tenants,
      load: { before, after },
      wallSeconds: round1(command.wallMs / 1000),
      processes,
      stacks,
      templateBytes: parsed.reduce((total, { bytes }) => total + bytes, 0),
      assemblyBytes: directoryBytes(outDir),
      bundlingRuns: (command.output.match(/^Bundling asset /gm) ?? []).length,
      lambdaFunctions: functions.length,
      distinctLambdaCode: new Set(functions.map(codeOf)).size,
      codeAssetBytes: assetDirs.reduce((total, dir) => total + directoryBytes(join(outDir, dir)), 0),
      reservedConcurrency: reserved(functions),
      perTenant: {
        ...tenantInventory(parsed, first).tenant,
        roles: ownResources.filter((resource) => resource.Type === 'AWS::IAM::Role').length,
        resources: ownResources.length,
        reservedConcurrency: reserved(ownResources.filter((resource) => resource.Type === 'AWS::Lambda::Function')),
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The least-squares line `intercept + slope x tenants` through the points. */
function fit(points: ReadonlyArray<[number, number]>): { intercept: number; slope: number } {
  const n = points.length;
  const meanX = points.reduce((total, [x]) => total + x, 0) / n;
  const meanY = points.reduce((total, [, y]) => total + y, 0) / n;
  const sxx = points.reduce((total, [x]) => total + (x - meanX) ** 2, 0);
  const slope = sxx === 0 ? 0 : points.reduce((total, [x, y]) => total + (x - meanX) * (y - meanY), 0) / sxx;
  return { intercept: meanY - slope * meanX, slope };
}

/**
 * The line through the points and the cost per tenant of each step between sizes; with three
 * sizes or more, the last step's cost per tenant against the first's (about 1: linear).
 */
function linearity(name: string, unit: string, points: ReadonlyArray<[number, number]>): { measure: string; fixed: number; perTenant: number; stepPerTenant: number[]; lastStepOverFirst?: number } {
  const line = fit(points);
  const steps = points.slice(1).map(([x, y], index) => (y - points[index]![1]) / (x - points[index]![0]));
  const ratio = steps.length >= 2 && steps[0]! > 0 ? steps.at(-1)! / steps[0]! : undefined;
  return {
    measure: `${name} (${unit})`,
    fixed: rounded(line.intercept),
    perTenant: rounded(line.slope),
    stepPerTenant: steps.map(rounded),
    ...(ratio === undefined ? {} : { lastStepOverFirst: rounded(ratio) }),
  };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const counts = tenantCounts();
  const results: SizeResult[] = [];
  const started = performance.now();
  for (const count of counts) {
    console.log(`synthesizing ${count} tenant(s), load ${loadNow().join(' ')} ...`);
    const result = await measure(count);
    console.log(`  ${result.wallSeconds} s, app ${result.processes.app.cpuSeconds} s CPU and ${result.processes.app.peakRssMiB} MiB peak RSS, load after ${result.load.after.join(' ')}`);
    results.push(result);
  }
  const totalSeconds = (performance.now() - started) / 1000;

  const rows: Row[] = results.map((result) => {
    const largest = (kind: StackFigures['kind'], key: 'resources' | 'outputs' | 'bytes') => Math.max(0, ...result.stacks.filter((stack) => stack.kind === kind).map((stack) => stack[key]));
    return {
      tenants: result.tenants,
      'load before': result.load.before[0]!,
      'load after': result.load.after[0]!,
      'wall s': result.wallSeconds,
      'app CPU s': result.processes.app.cpuSeconds,
      'cli CPU s': result.processes.cli.cpuSeconds,
      'app peak RSS MiB': result.processes.app.peakRssMiB,
      'cli peak RSS MiB': result.processes.cli.peakRssMiB,
      templates: result.stacks.length,
      'templates MiB': rounded(result.templateBytes / 2 ** 20),
      'assembly MiB': rounded(result.assemblyBytes / 2 ** 20),
      'resources data/service/operator': `${largest('data', 'resources')}/${largest('service', 'resources')}/${largest('operator', 'resources')}`,
      'operator template KiB': rounded(largest('operator', 'bytes') / 1024),
      'bundling runs': result.bundlingRuns,
      'Lambda code assets': result.distinctLambdaCode,
    };
  });

  const points = (value: (result: SizeResult) => number): Array<[number, number]> => results.map((result) => [result.tenants, value(result)]);
  const fits = [
    linearity('wall time', 's', points((result) => result.wallSeconds)),
    linearity('app CPU time', 's', points((result) => result.processes.app.cpuSeconds)),
    linearity('CLI CPU time', 's', points((result) => result.processes.cli.cpuSeconds)),
    linearity('app peak RSS', 'MiB', points((result) => result.processes.app.peakRssMiB)),
    linearity('CLI peak RSS', 'MiB', points((result) => result.processes.cli.peakRssMiB)),
    linearity('templates', 'KiB', points((result) => result.templateBytes / 1024)),
    linearity('operator template', 'KiB', points((result) => Math.max(...result.stacks.filter((stack) => stack.kind === 'operator').map((stack) => stack.bytes)) / 1024)),
  ];

  const largestSize = results.at(-1)!;
  const perTenant = largestSize.perTenant;
  const functionsPerTenant = perTenant.functions;
  const mostResources = Math.max(...results.flatMap((result) => result.stacks.map((stack) => stack.resources)));
  const mostOutputs = Math.max(...results.flatMap((result) => result.stacks.map((stack) => stack.outputs)));
  const exportsPerTenant = largestSize.stacks.filter((stack) => stack.kind !== 'operator').reduce((total, stack) => total + stack.exports, 0) / largestSize.tenants;
  const notes = [
    `bundling: esbuild ran ${results.map((result) => result.bundlingRuns).join(', ')} time(s) for ${counts.join(', ')} tenants, and the templates name ${results.map((result) => result.distinctLambdaCode).join(', ')} distinct Lambda code asset(s) for ${results.map((result) => result.lambdaFunctions).join(', ')} functions: CDK bundles a function's code once per distinct entry and bundling options (its asset cache; infra/constructs/function-bundle.ts) and every tenant's function points at the same asset hash, so bundling is a fixed cost, not a per-tenant one, and a deploy uploads each bundle once.`,
    ...fits.map((line) => `${line.measure}: ${line.fixed} + ${line.perTenant} per tenant (least squares); per tenant between sizes ${line.stepPerTenant.join(', ')}${line.lastStepOverFirst === undefined ? '' : `; last step / first step ${line.lastStepOverFirst}`}`),
    `one tenant adds ${perTenant.resources} resources in 2 stacks (${perTenant.roles} IAM roles, ${perTenant.functions} Lambda functions with ${perTenant.reservedConcurrency} reserved concurrency, ${exportsPerTenant} stack exports, ${perTenant.alarms.length} alarms, ${perTenant.kmsKeys} KMS key(s), ${perTenant.tables} DynamoDB tables, ${perTenant.queues} SQS queues, ${perTenant.secretsCreated} secrets, ${perTenant.schedules} schedule(s), ${perTenant.logGroupRetentionDays.length} log groups, ${perTenant.buckets} bucket(s), ${perTenant.topics} SNS topic(s)); the operator stack is one per account and region.`,
    `the machine is shared: every size's load average (1, 5, 15 min) is in data.sizes; CPU seconds move far less with the load than wall seconds.`,
  ];
  const targets = [
    { target: `bundling once per function, not per tenant`, measured: `${largestSize.bundlingRuns} bundling run(s) and ${largestSize.distinctLambdaCode} code asset(s) for ${largestSize.tenants} tenants x ${functionsPerTenant} functions`, met: largestSize.bundlingRuns <= functionsPerTenant && largestSize.distinctLambdaCode <= functionsPerTenant },
    { target: `every stack under CloudFormation's ${RESOURCES_PER_STACK} resources`, measured: `largest stack ${mostResources} resources, ${mostOutputs} outputs`, met: mostResources < RESOURCES_PER_STACK },
    { target: `the run within ${RUN_BUDGET_SECONDS} s`, measured: `${Math.round(totalSeconds)} s for ${counts.join(', ')} tenants`, met: totalSeconds <= RUN_BUDGET_SECONDS },
  ];
  const result: BenchResult = {
    name: 'tenants-scale',
    description: '`cdk synth` (CLI, app and cdk-nag) of N tenants in one account and region, a fresh process tree per N',
    machine,
    parameters: { tenantCounts: counts, tenantFile: 'infra/tenants/example.json under generated names', command: 'cdk synth --quiet -c tenantsDir=<generated> -o <temporary>' },
    rows,
    targets,
    notes,
    data: {
      fits,
      perTenant: { ...perTenant, exports: exportsPerTenant },
      sizes: results.map(({ stacks, ...rest }) => ({
        ...rest,
        stacksByKind: (['data', 'service', 'operator'] as const).map((kind) => {
          const mine = stacks.filter((stack) => stack.kind === kind);
          return { kind, count: mine.length, resources: Math.max(0, ...mine.map((stack) => stack.resources)), outputs: Math.max(0, ...mine.map((stack) => stack.outputs)), exports: Math.max(0, ...mine.map((stack) => stack.exports)), parameters: Math.max(0, ...mine.map((stack) => stack.parameters)), largestBytes: Math.max(0, ...mine.map((stack) => stack.bytes)) };
        }),
      })),
      totalSeconds: Math.round(totalSeconds),
    },
  };
  report(result);
}

await main();
