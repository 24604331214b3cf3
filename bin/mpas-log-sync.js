#!/usr/bin/env -S node --max-semi-space-size=16
// --max-semi-space-size=16: Node 24 sizes the young generation by the machine's memory (128 MB of
// new space on a 24 GiB host), which a catch-up fills with pages in flight: the runner's peak RSS
// was 305-337 MB against 244-262 MB at 16 MB semi-spaces, which also catch up faster
// (docs/performance.md). It is a shebang flag, not NODE_OPTIONS, so that every way the command is
// started (npm start, the package's bin, the container, the systemd unit) gets it.
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
