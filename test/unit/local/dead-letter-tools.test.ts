import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterFileError, readDeadLetterFile, routeOfRecord } from '../../../lib/local/dead-letter-tools.js';

describe('routeOfRecord', () => {
  it('reads the route the local consumer names in the detail, else the default route', () => {
    expect(routeOfRecord({ detail: 'route archive-siem: status 400: bad field' })).toBe('archive-siem');
    expect(routeOfRecord({ detail: 'status 400: route of the request is wrong' })).toBe('default');
  });
});

describe('readDeadLetterFile', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dead-letter-tools-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has no records when the file does not exist, and names the line that is not a record', async () => {
    expect(await readDeadLetterFile(join(dir, 'none.ndjson'))).toEqual({ text: '', records: [] });
    const path = join(dir, 'acme.dead-letters.ndjson');
    const good = { at: '2026-11-22T00:00:00.000Z', reason: 'rejected-by-siem', detail: 'x', tenant: 'acme', realm: 'r', stream: 'user', batchId: 'b', events: [{}] };
    await writeFile(path, `${JSON.stringify(good)}\n{"realm":"r"}\n`);
    await expect(readDeadLetterFile(path)).rejects.toThrow(DeadLetterFileError);
    await expect(readDeadLetterFile(path)).rejects.toThrow(/line 2 is not a dead-letter record/);
    await writeFile(path, `${JSON.stringify(good)}\n`);
    expect((await readDeadLetterFile(path)).records).toEqual([good]);
  });
});
