import { join, relative } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { BUNDLE_ENTRY_FILE, bundleFunction } from '../../infra/constructs/function-bundle.js';
import { BUNDLING } from '../../infra/constructs/secure-defaults.js';
import { REPO_ROOT } from './child-process.js';

/** The Lambda entry points, functions/<name>.ts. */
export const LAMBDA_FUNCTIONS = ['poller', 'forwarder'] as const;
export type LambdaFunctionName = (typeof LAMBDA_FUNCTIONS)[number];

/**
 * esbuild's options of the stack's bundles (infra/constructs/secure-defaults.ts BUNDLING) without
 * the code splitting, for one output file: what bench/import-costs.ts profiles through one source map.
 */
export function stackBuildOptions(): BuildOptions {
  return { ...BUNDLING, logLevel: 'silent' };
}

/** A bundle as the stack makes it: its entry file, and the files a cold start reads (the entry and the chunks it imports statically). */
export interface LambdaBundle {
  readonly entryFile: string;
  readonly coldStartFiles: readonly string[];
}

/**
 * Bundles functions/<name>.ts into `outDir`/<name>/ with the stack's own function
 * (infra/constructs/function-bundle.ts): index.mjs, its chunks and their source maps.
 */
export function bundleLambda(name: LambdaFunctionName, outDir: string): LambdaBundle {
  const directory = join(outDir, name);
  const metafile = bundleFunction(join(REPO_ROOT, 'functions', `${name}.ts`), directory);
  const entryFile = join(directory, BUNDLE_ENTRY_FILE);
  return { entryFile, coldStartFiles: staticImportClosure(metafile, relative(process.cwd(), entryFile)).map((file) => join(process.cwd(), file)) };
}

/** The output files `entry` (a metafile output path: relative to the working directory) imports statically, itself included. */
function staticImportClosure(metafile: Metafile, entry: string): string[] {
  const reached = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    const output = metafile.outputs[file];
    if (output === undefined) throw new Error(`esbuild's metafile has no output ${file}`);
    for (const imported of output.imports) if (imported.kind === 'import-statement' && imported.external !== true) pending.push(imported.path);
  }
  return [...reached];
}
