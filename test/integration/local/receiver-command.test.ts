import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllCli, runCli, startCli, waitUntil } from '../../support/cli-process.js';
import type { CliProcess } from '../../support/cli-process.js';

/** The first JSON line the process printed, once it has. */
function firstJsonLine<T>(child: CliProcess): T | undefined {
  const line = child.output().stdout.split('\n').find((candidate) => candidate.startsWith('{'));
  return line === undefined ? undefined : (JSON.parse(line) as T);
}

interface ReceiverAnnouncement {
  receivers: Array<{ type: string; url: string; settings: Record<string, string> }>;
}

describe('mpas-log-sync receiver', () => {
  const stateDirs: string[] = [];
  afterEach(async () => {
    await killAllCli();
    await Promise.all(stateDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('with simulator, is all run --once needs: each SIEM type\'s settings as printed deliver the backlog, counted by type at the stop', async () => {
    const simulator = startCli(['simulator', '--port', '0', '--rate', '0', '--backlog', '20', '--json'], {});
    const receiver = startCli(['receiver', '--port', '0', '--type', 'all', '--json'], {});
    const mpas = await waitUntil(() => firstJsonLine<{ settings: Record<string, string> }>(simulator), 'the simulator\'s settings');
    const siems = await waitUntil(() => firstJsonLine<ReceiverAnnouncement>(receiver), 'the receiver\'s settings');
    expect(siems.receivers.map(({ type }) => type)).toEqual(['https', 'splunk-hec', 'elastic', 'datadog', 'sumo-logic', 'sentinel', 'syslog', 'eventbridge', 'firehose']);

    // Four protocols, one run each at once: a token grant (sentinel), TLS with the printed CA file (syslog), a product path (HEC),
    // the AWS SDK signing for the printed key (EventBridge).
    const tried = ['splunk-hec', 'sentinel', 'syslog', 'eventbridge'];
    const runs = await Promise.all(
      tried.map(async (type) => {
        const stateDir = await mkdtemp(join(tmpdir(), `receiver-${type}-`));
        stateDirs.push(stateDir);
        const { settings } = siems.receivers.find((candidate) => candidate.type === type)!;
        return runCli(['run', '--once'], { ...mpas.settings, ...settings, STATE_DIR: stateDir, MPAS_START_FROM: new Date(Date.now() - 7_200_000).toISOString() });
      }),
    );
    for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

    receiver.kill('SIGINT');
    const stopped = await receiver.exited;
    expect(stopped.code).toBe(0);
    const last = JSON.parse(stopped.stdout.trim().split('\n').at(-1)!) as { stopped: boolean; received: Record<string, number> };
    expect(last).toEqual({ stopped: true, received: { 'splunk-hec': 20, sentinel: 20, syslog: 20, eventbridge: 20 } });
    simulator.kill('SIGTERM');
    expect((await simulator.exited).code).toBe(0);
  });

  it('refuses a SIEM type it does not know, naming the ones it does', async () => {
    const refused = await runCli(['receiver', '--type', 'qradar'], {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--type must be one of https, splunk-hec, elastic, datadog, sumo-logic, sentinel, syslog, eventbridge, firehose or all, got "qradar"');
  });
});
