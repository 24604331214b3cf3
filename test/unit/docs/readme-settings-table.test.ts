import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

/** The first settings table after `heading`: its header line up to the blank line ending it. */
function settingsTable(text: string, heading: string): string {
  const start = text.indexOf('| Name | Default | Meaning | Example |', text.indexOf(heading));
  return text.slice(start, text.indexOf('\n\n', start));
}

describe('README settings table', () => {
  it('is the table of docs/configuration.md, row for row (copy it over when it changes)', () => {
    expect(settingsTable(read('README.md'), '## Configuration')).toBe(settingsTable(read('docs/configuration.md'), '## Environment variables'));
  });
});
