#!/usr/bin/env node
// The installed package ships the compiled JavaScript in dist/ (`npm run build`, run by `npm pack`)
// and no TypeScript sources: it runs on node alone. A clone of the repository has the sources and
// runs them through tsx's loader, so the command works right after `npm ci` with no build step to
// forget, and a dist/ left behind by `npm pack` never runs code older than the sources.
import { existsSync } from 'node:fs';

const sources = new URL('../lib/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('../dist/main.js'));
}
process.exitCode = await main(process.argv.slice(2), process.env);
