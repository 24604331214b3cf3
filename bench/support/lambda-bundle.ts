import { join } from 'node:path';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLING } from '../../infra/constructs/secure-defaults.js';
import { REPO_ROOT } from './child-process.js';

/** The Lambda entry points, functions/<name>.ts. */
export const LAMBDA_FUNCTIONS = ['poller', 'forwarder'] as const;
export type LambdaFunctionName = (typeof LAMBDA_FUNCTIONS)[number];

/**
 * esbuild's options as the stack's NodejsFunction passes them (infra/constructs/secure-defaults.ts
 * BUNDLING), read from there so that the benchmarks measure what is deployed.
 */
export function stackBuildOptions(): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: BUNDLING.target,
    format: BUNDLING.format === OutputFormat.ESM ? 'esm' : 'cjs',
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    mainFields: BUNDLING.mainFields,
    ...(BUNDLING.banner === undefined ? {} : { banner: { js: BUNDLING.banner } }),
    external: BUNDLING.externalModules,
    ...(BUNDLING.define === undefined ? {} : { define: BUNDLING.define }),
    logLevel: 'silent',
  };
}

/**
 * Bundles functions/<name>.ts into `outDir`/<name>/index.mjs (with its .map). `outDir` must be
 * inside the repository so that what stays external resolves from node_modules, as it resolves
 * from the Lambda runtime.
 */
export async function bundleLambda(name: LambdaFunctionName, outDir: string): Promise<string> {
  const outfile = join(outDir, name, 'index.mjs');
  await build({ ...stackBuildOptions(), entryPoints: [join(REPO_ROOT, 'functions', `${name}.ts`)], outfile });
  return outfile;
}
