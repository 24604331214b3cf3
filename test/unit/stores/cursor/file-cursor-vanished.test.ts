import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamKey } from '../../../../lib/core/cursor/cursor-store.js';
import { CursorError, CursorMissingError, LeaseLostError } from '../../../../lib/core/cursor/errors.js';
import { FileCursorStore } from '../../../../lib/stores/cursor/file-cursor-store.js';
import type { FileCursorStoreOptions } from '../../../../lib/stores/cursor/file-cursor-store.js';

const NOW = Date.UTC(2026, 2, 4, 10, 0, 0);
const LEASE_MS = 60_000;
const key = streamKey('acme', 'user');

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'file-cursor-vanished-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

function store(options: Partial<FileCursorStoreOptions> = {}): FileCursorStore {
  return new FileCursorStore({ stateDir, tenant: 'acme', hostname: 'host', pid: 100, isProcessAlive: () => true, ...options });
}

/** A holder that committed one position and holds the lease, as `run` between two polls. */
async function holding(options: Partial<FileCursorStoreOptions> = {}) {
  const held = store(options);
  const { lease } = await held.acquire({ owner: 'run', now: NOW, leaseMs: LEASE_MS });
  const extended = await held.commit({ lease, key, position: { time: NOW - 5_000, boundary: [], updatedAt: NOW }, now: NOW, leaseMs: LEASE_MS });
  return { held, lease: extended };
}

describe('FileCursorStore under a running holder', () => {
  it('calls a cursor file replaced by one that does not parse a lost lease, and leaves it as found', async () => {
    const { held, lease } = await holding();
    await writeFile(held.cursorPath, '{"version": 1, "positions": ');
    const lost = await held.commit({ lease, key, position: { time: NOW, boundary: [], updatedAt: NOW }, now: NOW, leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(LeaseLostError);
    expect((lost as LeaseLostError).found).toMatch(new RegExp(`^the cursor file ${held.cursorPath} was replaced by one that is not a valid cursor \\(.*not valid JSON.*\\); this process had committed acme#user up to 2026-03-04T09:59:55.000Z`));
    await held.release(lease);
    expect(existsSync(held.lockPath)).toBe(false);
  });

  it('calls its lock file removed between two polls a lost lease, and takes no new lock', async () => {
    const { held } = await holding();
    await unlink(held.lockPath);
    const lost = await held.acquire({ owner: 'run', now: NOW + 1_000, leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect((lost as LeaseLostError).found).toBe(`the lock file ${held.lockPath} vanished while this process held it`);
    expect(existsSync(held.lockPath)).toBe(false);
  });

  it('keeps no history without the option (backfill and replay cursors), yet still finds its file deleted', async () => {
    const { held } = await holding();
    expect(existsSync(join(stateDir, 'acme.history.json'))).toBe(false);
    await unlink(held.cursorPath);
    const lost = await held.acquire({ owner: 'run', now: NOW + 1_000, leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect((lost as LeaseLostError).found).toContain('was deleted while this process held its lease');
  });
});

describe('FileCursorStore keeping the tenant history', () => {
  const history = { history: { startOver: false } };

  it('starts a new tenant, writes the history at the first commit, and refuses a cursor without positions after that', async () => {
    const { held, lease } = await holding(history);
    expect(existsSync(join(stateDir, 'acme.history.json'))).toBe(true);
    await held.release(lease);
    await unlink(held.cursorPath);
    const refused = await store(history).acquire({ owner: 'run', now: NOW, leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CursorMissingError);
    expect(existsSync(held.cursorPath)).toBe(false);
    expect(existsSync(held.lockPath)).toBe(false);
  });

  it('counts the look-back records of a state directory older than the history file as earlier runs', async () => {
    const { held, lease } = await holding();
    await held.release(lease);
    await unlink(held.cursorPath);
    await mkdir(join(stateDir, 'acme.lookback'));
    await writeFile(join(stateDir, 'acme.lookback', 'record.json'), '{}');
    const refused = await store(history).acquire({ owner: 'run', now: NOW, leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect((refused as CursorMissingError).evidence).toBe(`the look-back's delivery records in ${join(stateDir, 'acme.lookback')} show earlier runs`);
  });

  it('starts over when asked, telling what showed the earlier runs; refuses to when positions exist', async () => {
    const { held, lease } = await holding(history);
    await held.release(lease);
    const kept = await store({ history: { startOver: true } }).acquire({ owner: 'run', now: NOW, leaseMs: LEASE_MS }).catch((error: unknown) => error);
    expect(kept).toBeInstanceOf(CursorError);
    expect((kept as Error).message).toContain('--start-over refused');
    await unlink(held.cursorPath);
    const told: string[] = [];
    const started = await store({ history: { startOver: true, onStartOver: (evidence) => told.push(evidence) } }).acquire({ owner: 'run', now: NOW, leaseMs: LEASE_MS });
    expect(started.positions).toEqual({});
    expect(told).toEqual([expect.stringContaining('acme.history.json says a position was first committed at 2026-03-04T10:00:00.000Z')]);
  });
});
