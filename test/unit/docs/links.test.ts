import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCUMENTS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** The targets of a document's Markdown links that are files of this repository (not web addresses, not anchors alone). */
function fileLinks(text: string): string[] {
  // Code blocks and spans hold examples, not links.
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target]) => target!.split('#')[0]!)
    .filter((target) => target.length > 0 && !/^[a-z]+:/i.test(target));
}

describe('links between the documents', () => {
  it.each(DOCUMENTS)('%s links only to files that exist (relative to it, or to the repository root with a leading /)', (document) => {
    const broken = fileLinks(readFileSync(join(ROOT, document), 'utf8')).filter((target) => {
      const path = target.startsWith('/') ? join(ROOT, target) : join(ROOT, dirname(document), target);
      return !existsSync(path);
    });
    expect(broken).toEqual([]);
  });
});
