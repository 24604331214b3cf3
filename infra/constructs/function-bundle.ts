import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import type { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import type { BuildOptions, Metafile } from 'esbuild';
import { BUNDLING } from './secure-defaults.js';

/** The file the Lambda runtime loads for the handler `index.handler`. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';
/** Where the code that the entry imports, statically or dynamically, is split into. */
export const BUNDLE_CHUNK_DIR = 'chunks';

/**
 * esbuild's options for `entry` (an absolute path) bundled into a directory: BUNDLING, split so that
 * what the function imports only dynamically (a SIEM type's sink and its SDK client, the S3
 * client of large payloads) lands in chunks of its own, which a cold start never reads.
 */
export function functionBuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    ...BUNDLING,
    entryPoints: { index: entry },
    outdir,
    splitting: true,
    chunkNames: `${BUNDLE_CHUNK_DIR}/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    metafile: true,
  };
}

/** Bundles `entry` into `outdir` (index.mjs, its chunks and their source maps); esbuild's metafile says which file imports which. */
export function bundleFunction(entry: string, outdir: string): Metafile {
  const { metafile } = buildSync(functionBuildOptions(entry, outdir));
  // metafile: true above, so esbuild always returns it.
  return metafile!;
}

/**
 * esbuild run in this process. Its fields are data so that CDK's asset cache, which keys on the
 * bundling options' JSON, tells the functions apart and shares one bundle between the tenants.
 */
class SplitBundling implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly options: BuildOptions,
  ) {}

  tryBundle(outputDir: string): boolean {
    buildSync({ ...this.options, outdir: outputDir });
    return true;
  }
}

/**
 * The code of a function whose handler is `index.handler`, bundled from `entry` (relative to
 * `projectRoot`) at synthesis: the same options as NodejsFunction's local esbuild run, which
 * cannot split (it passes --outfile), and the asset named by the hash of its output as there.
 * A stack whose bundling `cdk synth` skips (aws:cdk:bundling-stacks) runs no esbuild.
 */
export function functionCode(projectRoot: string, entry: string): Code {
  const absoluteEntry = join(projectRoot, entry);
  const bundling: BundlingOptions = {
    // Required by CDK, never pulled: the local bundling always succeeds or throws.
    image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
    local: new SplitBundling(absoluteEntry, functionBuildOptions(absoluteEntry, '')),
  };
  return Code.fromAsset(projectRoot, { assetHashType: AssetHashType.OUTPUT, bundling });
}
