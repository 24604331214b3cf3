/**
 * Writes docs/events.md from the event catalog (`npm run docs:events`). The unit test
 * test/unit/core/pipeline/event-catalog-docs.test.ts fails whenever the page and the catalog differ.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEventCatalog } from '../lib/core/pipeline/render-event-catalog.js';

const target = fileURLToPath(new URL('../docs/events.md', import.meta.url));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, renderEventCatalog(), 'utf8');
console.log(`wrote ${target}`);
