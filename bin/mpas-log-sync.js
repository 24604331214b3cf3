#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader, so the command works right after `npm ci`
// on a fresh clone, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
