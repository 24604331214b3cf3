import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { killAllCli, localRunEnv, runCli, startCli } from '../../support/cli-process.js';
import { startSimulatorForSync } from '../../support/simulator-client.js';

const PASSWORD = 'state-test-password-31cd';

/** Polls `condition` until it holds (the processes under test write files on their own time). */
async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface CursorJson {
  lease?: { owner: string; fence: number };
  positions: Record<string, { time: number }>;
}

// The state cases share one state directory, in order: each starts from what the one before left.
describe('run: a cursor that vanishes or changes is never a silent restart (real processes)', () => {
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let stateDir: string;
  let env: Record<string, string>;
  const startTime = Date.now() - 3_600_000;
  const first = generateEvents({ seed: 31, realm: 'acme', count: 40, startTime, spacingMs: 30_000, adminShare: 0 }).user;
  const cursorPath = (): string => join(stateDir, 'default.cursor.json');
  const cursor = async (): Promise<CursorJson | undefined> => {
    const text = await readFile(cursorPath(), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as CursorJson);
  };
  const receivedIds = (): string[] => receiver.received().map((item) => (item.json as { event: { id: string } }).event.id);
  /**
   * Waits for the running holder's next write (it takes its lease again at every poll, a second
   * apart, and with nothing new to read writes nothing else), so the test's own change of the
   * file lands between two of its writes: one landing inside a write would be replaced by it.
   */
  const justAfterAPoll = async (): Promise<void> => {
    const fence = (await cursor())?.lease?.fence ?? 0;
    await until('the holder\'s next poll', async () => ((await cursor())?.lease?.fence ?? 0) > fence);
  };

  beforeAll(async () => {
    simulator = await startSimulatorForSync(PASSWORD);
    receiver = await startSiemReceiver();
    stateDir = await mkdtemp(join(tmpdir(), 'cli-state-'));
    simulator.add('acme', 'user', first);
    env = localRunEnv(
      { mpasUrl: simulator.url, password: PASSWORD, startFrom: startTime - 1_000, stateDir, siemUrl: `${receiver.url}/ingest` },
      { MPAS_STREAMS: 'user', MPAS_SETTLE_MS: '0', MPAS_LOOKBACK_MS: '0' },
    );
  });

  afterAll(async () => {
    await killAllCli();
    await receiver?.close();
    await simulator?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('deleted while run holds the lease: the run stops, exit 1, naming the file and what it had committed', async () => {
    const child = startCli(['run', '--poll-interval', '1000'], env);
    await until('the first 40 events delivered and committed', async () => receiver.received().length >= 40 && ((await cursor())?.positions['acme#user']?.time ?? 0) >= first.at(-1)!.time);
    expect(existsSync(join(stateDir, 'default.history.json'))).toBe(true);
    await justAfterAPoll();
    await unlink(cursorPath());
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`the cursor file ${cursorPath()} was deleted while this process held its lease`);
    expect(exit.stderr).toMatch(/this process had committed acme#user up to \S+Z/);
    expect(exit.stderr).toContain('mpas-log-sync run --start-over');
    // It wrote nothing after it found the file gone, and gave its lock up.
    expect(existsSync(cursorPath())).toBe(false);
    expect(existsSync(join(stateDir, 'default.lock'))).toBe(false);
  });

  it('gone while stopped: run refuses to start, names the history and --start-over, and writes no cursor', async () => {
    const exit = await runCli(['run', '--once'], env);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`refusing to start: the cursor file ${cursorPath()} is missing or holds no position, but ${join(stateDir, 'default.history.json')} says a position was first committed at`);
    expect(exit.stderr).toContain('run `mpas-log-sync run --start-over` once');
    expect(existsSync(cursorPath())).toBe(false);
    const check = await runCli(['check'], env);
    expect(check.stdout).toMatch(/FAIL {2}state +no cursor position in .*: run refuses to start; .* run --start-over/);
  });

  it('--start-over starts at MPAS_START_FROM and says so; nothing committed before is skipped; a second --start-over is refused', async () => {
    const later = generateEvents({ seed: 32, realm: 'acme', count: 10, startTime: first.at(-1)!.time + 1_000, spacingMs: 1_000, adminShare: 0 }).user;
    simulator.add('acme', 'user', later);
    const exit = await runCli(['run', '--once', '--start-over'], env);
    expect(exit.code, exit.stderr).toBe(0);
    const warned = exit.stdout.split('\n').filter((line) => line.includes('starting over (--start-over)'));
    expect(warned).toHaveLength(1);
    expect(JSON.parse(warned[0]!)).toMatchObject({ level: 'warn', startFrom: env['MPAS_START_FROM'] });
    expect(new Set(receivedIds())).toEqual(new Set([...first, ...later].map((event) => event.id)));

    const again = await runCli(['run', '--once', '--start-over'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`--start-over refused: the cursor file ${cursorPath()} holds positions (acme#user)`);
  });

  it('rewritten while run holds the lease: the run stops, exit 1, saying which positions changed', async () => {
    const child = startCli(['run', '--poll-interval', '1000'], env);
    await justAfterAPoll();
    await justAfterAPoll();
    const held = (await cursor())!;
    // An operator's edit: the position moved back an hour, the lease left as it was.
    held.positions['acme#user']!.time -= 3_600_000;
    await writeFile(cursorPath(), JSON.stringify(held, null, 2) + '\n');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`the cursor file ${cursorPath()} was rewritten while this process held its lease`);
    expect(exit.stderr).toContain('the positions of acme#user differ from those this process committed');
  });
});

describe('one validation: check and run refuse the same configuration, every problem at once (real processes)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-validation-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const bad = (stateDir: string): Record<string, string> => ({
    MPAS_BASE_URL: 'https://sync:hunter2-url-secret@mpas.example.com',
    MPAS_REALMS: 'acme',
    MPAS_USERNAME: 'sync',
    MPAS_PASSWORD: 'pw',
    MPAS_CA_FILE: join(dir, 'not-a-certificate.pem'),
    SIEM_URL: 'http://siem.example.com/ingest',
    FILTER: '{"NOT":{"type":{"equals":"CODE_TO_TOKEN"}}}',
    REDACT_ADMIN_FIELDS: 'representation,__proto__',
    STATE_DIR: stateDir,
  });

  it('check lists every problem, exit 2; run exits 2 before it creates the state directory or any file in it', async () => {
    await writeFile(join(dir, 'not-a-certificate.pem'), 'this is not PEM\n');
    const stateDir = join(dir, 'state');
    const check = await runCli(['check'], bad(stateDir));
    expect(check.code).toBe(2);
    const lines = check.stderr.split('\n');
    expect(lines).toContain('invalid configuration (5 problems):');
    expect(lines).toEqual(
      expect.arrayContaining([
        'MPAS_BASE_URL: must not carry a user name or password (user:password@): set the credentials in their own settings, got "https://***@mpas.example.com"',
        `MPAS_CA_FILE: holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${join(dir, 'not-a-certificate.pem')}`,
        'SIEM_URL: must use https (http is allowed to a loopback host only), got "http://siem.example.com/ingest"',
        'FILTER: at NOT["type"]: unknown field "type": paths start with eventType, timestamp or event. (e.g. event.details.username)',
        'REDACT_ADMIN_FIELDS: "__proto__" uses the reserved name "__proto__"',
      ]),
    );
    expect(check.stderr + check.stdout).not.toContain('hunter2-url-secret');

    const run = await runCli(['run', '--once'], bad(stateDir));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(check.stderr);
    expect(existsSync(stateDir)).toBe(false);
    expect(await readdir(dir)).toEqual(['not-a-certificate.pem']);
  });
});
