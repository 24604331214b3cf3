import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamKey } from '../../../../lib/core/cursor/cursor-store.js';
import type { StreamPosition } from '../../../../lib/core/cursor/cursor-store.js';
import { CursorError, LeaseHeldError, LeaseLostError } from '../../../../lib/core/cursor/errors.js';
import { FileCursorStore } from '../../../../lib/stores/cursor/file-cursor-store.js';
import type { FileCursorStoreOptions } from '../../../../lib/stores/cursor/file-cursor-store.js';
import { claimPathFor } from '../../../../lib/stores/cursor/process-lock.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const LEASE_MS = 60_000;
const HOST = 'sync-host';

let stateDir: string;

beforeEach(async () => {
  stateDir = join(await mkdtemp(join(tmpdir(), 'file-cursor-store-')), 'state');
});

afterEach(async () => {
  await rm(join(stateDir, '..'), { recursive: true, force: true });
});

/** A store of tenant `acme` run by pid 100 on `sync-host`, where only the pids in `alive` run. */
function store(overrides: Partial<FileCursorStoreOptions> = {}, alive: ReadonlySet<number> = new Set([100, 200])) {
  return new FileCursorStore({
    stateDir,
    tenant: 'acme',
    hostname: HOST,
    pid: 100,
    isProcessAlive: (pid) => alive.has(pid),
    ...overrides,
  });
}

function position(time: number, boundary: string[] = []): StreamPosition {
  return { time, boundary, mode: 'modern', updatedAt: NOW };
}

type Holder = { pid: number; hostname: string; startedAt: string };

async function writeLock(holder: Holder, path = join(stateDir, 'acme.lock')): Promise<string> {
  await mkdir(stateDir, { recursive: true });
  const text = JSON.stringify(holder);
  await writeFile(path, text);
  return text;
}

/** Leaves the claim file a starter that died while taking over the lock at `lockPath` (reading `lockText`) would leave. */
async function writeAbandonedClaim(lockPath: string, lockText: string, claimant: Holder): Promise<{ path: string; text: string }> {
  const path = claimPathFor(lockPath, lockText);
  return { path, text: await writeLock(claimant, path) };
}

describe('FileCursorStore', () => {
  describe('the CursorStore contract', () => {
    it('acquires an empty cursor with fence 1 and no positions, creating stateDir with mode 0700', async () => {
      const acquired = await store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });

      expect(acquired).toEqual({ lease: { owner: 'poller', fence: 1, leaseUntil: NOW + LEASE_MS }, positions: {} });
      expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(stateDir, 'acme.cursor.json'))).mode & 0o777).toBe(0o600);
    });

    it('increases the fence at every acquisition, also across a release', async () => {
      const cursor = store();
      const fences: number[] = [];
      for (let i = 0; i < 3; i += 1) fences.push((await cursor.acquire({ owner: 'poller', now: NOW + i, leaseMs: LEASE_MS })).lease.fence);
      const last = await cursor.acquire({ owner: 'poller', now: NOW + 3, leaseMs: LEASE_MS });
      await cursor.release(last.lease);
      fences.push(last.lease.fence, (await cursor.acquire({ owner: 'poller', now: NOW + 4, leaseMs: LEASE_MS })).lease.fence);

      expect(fences).toEqual([1, 2, 3, 4, 5]);
    });

    it('moves one stream position per commit, keeps the others, and extends the lease', async () => {
      const cursor = store();
      const { lease } = await cursor.acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await cursor.commit({ lease, key: streamKey('master', 'user'), position: position(10, ['k1']), now: NOW + 1, leaseMs: LEASE_MS });
      const extended = await cursor.commit({
        lease,
        key: streamKey('master', 'admin'),
        position: { ...position(20, ['k2', 'k3']), read: { windowEnd: NOW - 5_000, pageSize: 250 } },
        now: NOW + 2,
        leaseMs: LEASE_MS,
      });

      expect(extended).toEqual({ ...lease, leaseUntil: NOW + 2 + LEASE_MS });
      const snapshot = await cursor.read();
      expect(snapshot.positions).toEqual({
        'master#user': position(10, ['k1']),
        'master#admin': { ...position(20, ['k2', 'k3']), read: { windowEnd: NOW - 5_000, pageSize: 250 } },
      });
      expect(snapshot.lease).toEqual(extended);
      // A new acquisition hands the positions back.
      const again = await store().acquire({ owner: 'poller', now: NOW + 3, leaseMs: LEASE_MS });
      expect(again.positions).toEqual(snapshot.positions);
    });

    it('refuses another owner while the lease is unexpired, naming the holder', async () => {
      const cursor = store();
      await cursor.acquire({ owner: 'poller-a', now: NOW, leaseMs: LEASE_MS });

      const refused = cursor.acquire({ owner: 'poller-b', now: NOW + LEASE_MS, leaseMs: LEASE_MS });
      await expect(refused).rejects.toBeInstanceOf(LeaseHeldError);
      await expect(refused).rejects.toThrow(/poller-a/);
    });

    it('refuses a commit after another owner took over the expired lease', async () => {
      const cursor = store();
      const { lease: old } = await cursor.acquire({ owner: 'poller-a', now: NOW, leaseMs: LEASE_MS });
      const { lease: taken } = await cursor.acquire({ owner: 'poller-b', now: NOW + LEASE_MS + 1, leaseMs: LEASE_MS });
      expect(taken.fence).toBe(old.fence + 1);

      const commit = cursor.commit({ lease: old, key: streamKey('master', 'user'), position: position(5), now: NOW + LEASE_MS + 2, leaseMs: LEASE_MS });
      await expect(commit).rejects.toBeInstanceOf(LeaseLostError);
      expect((await cursor.read()).positions).toEqual({});
    });

    it('refuses a commit by the same owner with an older fence (a restarted poller)', async () => {
      const cursor = store();
      const { lease: first } = await cursor.acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await cursor.acquire({ owner: 'poller', now: NOW + 1, leaseMs: LEASE_MS });

      await expect(
        cursor.commit({ lease: first, key: streamKey('master', 'user'), position: position(5), now: NOW + 2, leaseMs: LEASE_MS }),
      ).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('releases the lease and the lock file, and lets a commit after release fail', async () => {
      const cursor = store();
      const { lease } = await cursor.acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await cursor.release(lease);

      expect((await cursor.read()).lease).toBeUndefined();
      expect(await readdir(stateDir)).toEqual(['acme.cursor.json']);
      await expect(
        cursor.commit({ lease, key: streamKey('master', 'user'), position: position(5), now: NOW + 1, leaseMs: LEASE_MS }),
      ).rejects.toBeInstanceOf(LeaseLostError);
      // Another process may start now.
      await expect(store({ pid: 200 }).acquire({ owner: 'other', now: NOW + 2, leaseMs: LEASE_MS })).resolves.toMatchObject({
        lease: { owner: 'other', fence: 2 },
      });
    });

    it('leaves a lease taken over by someone else alone on release', async () => {
      const cursor = store();
      const { lease: old } = await cursor.acquire({ owner: 'poller-a', now: NOW, leaseMs: LEASE_MS });
      const { lease: current } = await cursor.acquire({ owner: 'poller-b', now: NOW + LEASE_MS + 1, leaseMs: LEASE_MS });

      await cursor.release(old);
      expect((await cursor.read()).lease).toEqual(current);
      expect(await readdir(stateDir)).toContain('acme.lock');
    });

    it('reads an empty snapshot before anything was written', async () => {
      await expect(store().read()).resolves.toEqual({ positions: {} });
    });
  });

  describe('the process lock', () => {
    it('refuses a second process that is alive, naming its pid, host, since and the lock path', async () => {
      await store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });

      const second = store({ pid: 200 }).acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await expect(second).rejects.toBeInstanceOf(LeaseHeldError);
      const message = ((await second.catch((error: unknown) => error)) as Error).message;
      expect(message).toContain('pid 100 on sync-host');
      expect(message).toContain(join(stateDir, 'acme.lock'));
      expect(message).toMatch(/taken at \d{4}-\d\d-\d\dT/);
    });

    it('refuses a lock held on another host, whose process it cannot check', async () => {
      await writeLock({ pid: 4242, hostname: 'other-host', startedAt: '2025-01-01T00:00:00.000Z' });

      const refused = store({}, new Set()).acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await expect(refused).rejects.toThrow(/pid 4242 on other-host.*another host/);
    });

    it('takes over the lock of a dead process on this host', async () => {
      await writeLock({ pid: 4242, hostname: HOST, startedAt: '2025-01-01T00:00:00.000Z' });

      await store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      const holder = JSON.parse(await readFile(join(stateDir, 'acme.lock'), 'utf8')) as { pid: number; hostname: string };
      expect(holder).toMatchObject({ pid: 100, hostname: HOST });
      expect((await readdir(stateDir)).sort()).toEqual(['acme.cursor.json', 'acme.lock']);
    });

    it('takes the unexpired lease of a killed process with its stale lock, fencing the dead owner out', async () => {
      // pid 300 runs, takes lock and lease, and is SIGKILLed: no release, the lease runs 60 s more.
      const killed = (await store({ pid: 300 }, new Set([300])).acquire({ owner: 'host:300', now: NOW, leaseMs: LEASE_MS })).lease;

      const restarted = await store({}, new Set([100])).acquire({ owner: 'host:100', now: NOW + 1_000, leaseMs: LEASE_MS });
      expect(restarted.lease).toEqual({ owner: 'host:100', fence: killed.fence + 1, leaseUntil: NOW + 1_000 + LEASE_MS });
      const late = store({ pid: 300 }, new Set([100, 300])).commit({ lease: killed, key: streamKey('acme', 'user'), position: position(NOW), now: NOW + 2_000, leaseMs: LEASE_MS });
      await expect(late).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('lets exactly one of many racing starters take over a stale lock, and only that one commit', async () => {
      for (let round = 0; round < 40; round += 1) {
        await writeLock({ pid: 4242, hostname: HOST, startedAt: '2025-01-01T00:00:00.000Z' });
        const pids = Array.from({ length: 2 + (round % 6) }, (_, index) => 101 + index);
        const alive = new Set(pids);
        const stores = pids.map((pid) => store({ pid }, alive));
        const outcomes = await Promise.allSettled(stores.map((racer, index) => racer.acquire({ owner: `poller-${pids[index]}`, now: NOW, leaseMs: LEASE_MS })));

        const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
        for (const reason of reasons) expect(reason, `round ${round}: ${String(reason)}`).toBeInstanceOf(LeaseHeldError);
        const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [{ pid: pids[index]!, racer: stores[index]!, lease: outcome.value.lease }] : []));
        expect(winners.map(({ pid }) => pid), `round ${round}`).toHaveLength(1);
        const holder = JSON.parse(await readFile(join(stateDir, 'acme.lock'), 'utf8')) as { pid: number };
        expect(holder.pid, `round ${round}`).toBe(winners[0]!.pid);
        const { racer, lease } = winners[0]!;
        await racer.commit({ lease, key: streamKey('acme', 'user'), position: position(NOW), now: NOW + 1_000, leaseMs: LEASE_MS });
        expect((await readdir(stateDir)).sort(), `round ${round}`).toEqual(['acme.cursor.json', 'acme.lock']);
        await rm(stateDir, { recursive: true, force: true });
      }
    });

    it('leaves alone a fresh lock that a racing starter put in place after this one judged the old lock stale', async () => {
      await writeLock({ pid: 4242, hostname: HOST, startedAt: '2025-01-01T00:00:00.000Z' });
      const lockPath = join(stateDir, 'acme.lock');
      // The worst schedule, forced: between this starter's read of the stale lock and its claim
      // on it, another starter (pid 101) takes the stale lock over and puts its own in place.
      const isProcessAlive = (pid: number): boolean => {
        if (pid === 4242 && JSON.parse(readFileSync(lockPath, 'utf8')).pid === 4242) {
          writeFileSync(join(stateDir, 'written-by-101'), JSON.stringify({ pid: 101, hostname: HOST, startedAt: '2025-01-15T12:00:00.000Z' }));
          renameSync(join(stateDir, 'written-by-101'), lockPath);
        }
        return pid === 101;
      };

      const late = store({ pid: 102, isProcessAlive }).acquire({ owner: 'poller-102', now: NOW, leaseMs: LEASE_MS });
      await expect(late).rejects.toThrow(/pid 101 on sync-host/);
      expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: 101 });
      expect(await readdir(stateDir)).toEqual(['acme.lock']);
    });

    it('refuses while a live process is taking the stale lock over, naming it and leaving its claim alone', async () => {
      const lockPath = join(stateDir, 'acme.lock');
      const lockText = await writeLock({ pid: 4242, hostname: HOST, startedAt: '2025-01-01T00:00:00.000Z' });
      const claim = await writeAbandonedClaim(lockPath, lockText, { pid: 200, hostname: HOST, startedAt: '2025-01-15T11:59:59.000Z' });

      await expect(store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS })).rejects.toThrow(
        new RegExp(`held by pid 200 on sync-host \\(it is taking over the lock file ${lockPath} of pid 4242, which no longer runs\\)`),
      );
      expect(await readFile(lockPath, 'utf8')).toBe(lockText);
      expect(await readFile(claim.path, 'utf8')).toBe(claim.text);
    });

    it('takes over a stale lock whose previous takers died holding their claims, and removes the claims', async () => {
      const lockPath = join(stateDir, 'acme.lock');
      const lockText = await writeLock({ pid: 4242, hostname: HOST, startedAt: '2025-01-01T00:00:00.000Z' });
      // pid 4343 died while taking the lock over; pid 4444 died while taking over 4343's claim.
      const first = await writeAbandonedClaim(lockPath, lockText, { pid: 4343, hostname: HOST, startedAt: '2025-01-02T00:00:00.000Z' });
      await writeAbandonedClaim(first.path, first.text, { pid: 4444, hostname: HOST, startedAt: '2025-01-03T00:00:00.000Z' });

      await store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: 100, hostname: HOST });
      expect((await readdir(stateDir)).sort()).toEqual(['acme.cursor.json', 'acme.lock']);
    });

    it('removes the claim a taker left when it died after putting its lock in place', async () => {
      const lockPath = join(stateDir, 'acme.lock');
      await writeAbandonedClaim(lockPath, 'the text of a lock long gone', { pid: 4343, hostname: HOST, startedAt: '2025-01-02T00:00:00.000Z' });
      await writeLock({ pid: 4343, hostname: HOST, startedAt: '2025-01-02T00:00:00.001Z' });

      await store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      expect((await readdir(stateDir)).sort()).toEqual(['acme.cursor.json', 'acme.lock']);
    });

    it('stops after three abandoned takeovers in a row, naming the files an operator may remove', async () => {
      const lockPath = join(stateDir, 'acme.lock');
      let stale = { path: lockPath, text: await writeLock({ pid: 4242, hostname: HOST, startedAt: '2025-01-01T00:00:00.000Z' }) };
      for (const pid of [4343, 4444, 4545]) {
        stale = await writeAbandonedClaim(stale.path, stale.text, { pid, hostname: HOST, startedAt: '2025-01-02T00:00:00.000Z' });
      }

      await expect(store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS })).rejects.toThrow(
        /3 takeovers of it in a row were abandoned; remove the acme\.lock\.claim-\* files only once/,
      );
      expect(await readdir(stateDir)).toHaveLength(4);
    });

    it('lets the same process acquire again while it holds the lock', async () => {
      await store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await expect(store().acquire({ owner: 'poller', now: NOW + 1, leaseMs: LEASE_MS })).resolves.toMatchObject({
        lease: { fence: 2 },
      });
    });

    it('fails a commit with LeaseLostError once the lock file no longer names this process', async () => {
      const cursor = store();
      const { lease } = await cursor.acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await rm(join(stateDir, 'acme.lock'));

      const commit = cursor.commit({ lease, key: streamKey('master', 'user'), position: position(5), now: NOW + 1, leaseMs: LEASE_MS });
      await expect(commit).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('gives the lock back when the lease inside is held by another owner', async () => {
      const first = store();
      const { lease } = await first.acquire({ owner: 'poller-a', now: NOW, leaseMs: LEASE_MS });
      // Simulate poller-a's process dying without a release: only its lease stays in the file.
      await rm(join(stateDir, 'acme.lock'));

      await expect(store({ pid: 200 }).acquire({ owner: 'poller-b', now: NOW + 1, leaseMs: LEASE_MS })).rejects.toThrow(
        new RegExp(`held by poller-a until ${new Date(lease.leaseUntil).toISOString()}`),
      );
      expect(await readdir(stateDir)).not.toContain('acme.lock');
    });

    it('reports an unreadable lock file instead of taking it', async () => {
      await writeLock({ pid: 4242, hostname: HOST, startedAt: '' });

      await expect(store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS })).rejects.toThrow(
        /lock file .*acme\.lock is unreadable .*startedAt/,
      );
    });
  });

  describe('held until closed (run, replay)', () => {
    it('keeps the lock and the lease across a release, refusing another process between polls; close gives both up', async () => {
      const cursor = store({ holdUntilClosed: true });
      const first = await cursor.acquire({ owner: 'run', now: NOW, leaseMs: LEASE_MS });
      await cursor.release(first.lease);

      expect((await cursor.read()).lease).toEqual(first.lease);
      await expect(store({ pid: 200 }).acquire({ owner: 'dlq', now: NOW + 1, leaseMs: LEASE_MS })).rejects.toThrow(/held by pid 100 on sync-host/);
      // The next poll takes it again, the fence grows, and a commit with it goes through.
      const second = await cursor.acquire({ owner: 'run', now: NOW + 2, leaseMs: LEASE_MS });
      expect(second.lease.fence).toBe(first.lease.fence + 1);
      const extended = await cursor.commit({ lease: second.lease, key: streamKey('acme', 'user'), position: position(5), now: NOW + 3, leaseMs: LEASE_MS });
      await cursor.release(extended);

      await cursor.close();
      const released = JSON.parse(await readFile(join(stateDir, 'acme.cursor.json'), 'utf8')) as { fence: number; lease?: unknown };
      expect(released).toMatchObject({ fence: second.lease.fence });
      expect(released.lease).toBeUndefined();
      expect(await readdir(stateDir)).toEqual(['acme.cursor.json']);
      await expect(store({ pid: 200 }).acquire({ owner: 'dlq', now: NOW + 4, leaseMs: LEASE_MS })).resolves.toMatchObject({ lease: { fence: second.lease.fence + 1 } });
    });

    it('says what it found when the lease was lost, and on close gives up only its lock, leaving the file as found', async () => {
      const cursor = store({ holdUntilClosed: true });
      const { lease } = await cursor.acquire({ owner: 'run', now: NOW, leaseMs: LEASE_MS });
      expect(cursor.lostLease).toBeUndefined();
      const edited = JSON.stringify({ version: 1, fence: 7, lease: { owner: 'someone', fence: 7, leaseUntil: NOW }, positions: {} });
      await writeFile(join(stateDir, 'acme.cursor.json'), edited);

      const commit = cursor.commit({ lease, key: streamKey('acme', 'user'), position: position(5), now: NOW + 1, leaseMs: LEASE_MS });
      await expect(commit).rejects.toBeInstanceOf(LeaseLostError);
      expect(cursor.lostLease?.found).toMatch(/was rewritten while this process held its lease: it names the lease of someone \(fence 7\)/);
      await cursor.release(lease);
      expect(await readdir(stateDir)).toContain('acme.lock');

      await cursor.close();
      expect(await readdir(stateDir)).toEqual(['acme.cursor.json']);
      expect(await readFile(join(stateDir, 'acme.cursor.json'), 'utf8')).toBe(edited);
    });

    it('closes without having acquired, and refuses no one after', async () => {
      await store({ holdUntilClosed: true }).close();
      await expect(store({ pid: 200 }).acquire({ owner: 'run', now: NOW, leaseMs: LEASE_MS })).resolves.toMatchObject({ lease: { fence: 1 } });
    });
  });

  describe('the state file', () => {
    it('always parses as a whole cursor while many commits replace it', async () => {
      const cursor = store();
      const { lease } = await cursor.acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      const path = join(stateDir, 'acme.cursor.json');
      let reading = true;
      let reads = 0;
      // A reader running alongside the writer: every read sees an old or a new state, never a torn one.
      const reader = (async () => {
        while (reading) {
          const parsed = JSON.parse(await readFile(path, 'utf8')) as { version: number; lease: unknown };
          expect(parsed).toMatchObject({ version: 1, lease: { owner: 'poller' } });
          reads += 1;
        }
      })();
      for (let i = 1; i <= 100; i += 1) {
        await cursor.commit({ lease, key: streamKey(`realm-${i % 7}`, 'user'), position: position(i, [`k${i}`]), now: NOW + i, leaseMs: LEASE_MS });
      }
      reading = false;
      await reader;

      expect(reads).toBeGreaterThan(0);
      expect(Object.keys((await cursor.read()).positions)).toHaveLength(7);
      expect((await readdir(stateDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    });

    it('ignores a temp file left by a crash mid-write, and removes it on the next acquisition', async () => {
      const cursor = store();
      const { lease } = await cursor.acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await cursor.commit({ lease, key: streamKey('master', 'user'), position: position(7), now: NOW, leaseMs: LEASE_MS });
      await cursor.release(lease);
      const stray = join(stateDir, '.acme.cursor.json.100.deadbeef0000.tmp');
      await writeFile(stray, '{"version":1,"positions":{"master#us');

      expect((await cursor.read()).positions).toEqual({ 'master#user': position(7) });
      const again = await store({ pid: 200 }).acquire({ owner: 'poller', now: NOW + 1, leaseMs: LEASE_MS });
      expect(again.positions).toEqual({ 'master#user': position(7) });
      expect(await readdir(stateDir)).not.toContain('.acme.cursor.json.100.deadbeef0000.tmp');
    });

    it('reports a corrupt state file with the file and the field, and never resets it', async () => {
      await store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      const path = join(stateDir, 'acme.cursor.json');
      const corrupt = JSON.stringify({ version: 1, fence: 1, positions: { 'master#user': { time: 'soon', boundary: [], updatedAt: NOW } } });
      await writeFile(path, corrupt);

      const read = store().read();
      await expect(read).rejects.toBeInstanceOf(CursorError);
      await expect(read).rejects.toThrow(`the cursor file ${path} is corrupt: positions["master#user"].time`);
      await expect(store().acquire({ owner: 'poller', now: NOW + 1, leaseMs: LEASE_MS })).rejects.toThrow(/is corrupt/);
      expect(await readFile(path, 'utf8')).toBe(corrupt);
    });

    it('reports a state file that is not JSON at all', async () => {
      await store().acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });
      await writeFile(join(stateDir, 'acme.cursor.json'), '');

      await expect(store().read()).rejects.toThrow(/acme\.cursor\.json is corrupt: it is not valid JSON/);
    });

    it('refuses to write a position that would not read back, naming the field', async () => {
      const cursor = store();
      const { lease } = await cursor.acquire({ owner: 'poller', now: NOW, leaseMs: LEASE_MS });

      await expect(
        cursor.commit({ lease, key: streamKey('master', 'user'), position: position(Number.NaN), now: NOW, leaseMs: LEASE_MS }),
      ).rejects.toThrow(/refusing to write an invalid cursor .*positions\["master#user"\]\.time/);
    });

    it('rejects a tenant that cannot name a file', () => {
      expect(() => store({ tenant: '../escape' })).toThrow(/tenant "\.\.\/escape" cannot name a state file/);
    });
  });
});
