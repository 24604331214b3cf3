import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoDbCursorStore } from '../../../lib/stores/cursor/dynamodb-cursor-store.js';
import { FileCursorStore } from '../../../lib/stores/cursor/file-cursor-store.js';
import { cleanupAwsFixtures, createCursorTable, dynamoClient, testAwsConfig } from '../../support/aws-fixtures.js';
import { killAllCli, runCli } from '../../support/cli-process.js';

interface StatusJson {
  tenant: string;
  source: string;
  cursors: Array<{
    name: string;
    lease: { owner: string; until: string; expired: boolean } | null;
    streams: Array<{ realm: string; stream: string; time: string; lagSeconds: number; boundary: number; mode: string | null; updatedAt: string; lateEvents: number }>;
  }>;
}

const awsEnv = {
  AWS_ACCESS_KEY_ID: testAwsConfig.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: testAwsConfig.credentials.secretAccessKey,
  AWS_REGION: testAwsConfig.region,
};

describe('mpas-log-sync status', () => {
  let stateDir: string;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cli-status-'));
  });

  afterEach(async () => {
    await killAllCli();
    await cleanupAwsFixtures();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('shows the live cursor of the state directory, its lease, and the cursors of replays beside it', async () => {
    const now = Date.now();
    const live = new FileCursorStore({ stateDir, tenant: 'acme-corp' });
    const { lease } = await live.acquire({ owner: 'host-a:123', now, leaseMs: 600_000 });
    await live.commit({
      lease,
      key: 'prod#user',
      position: { time: now - 90_000, boundary: ['k1', 'k2'], mode: 'modern', updatedAt: now, seq: 4, lookback: { time: now - 400_000, boundary: [], seq: 3, late: 7 } },
      now,
      leaseMs: 600_000,
    });
    const replay = new FileCursorStore({ stateDir, tenant: 'acme-corp.replay-0123456789ab' });
    const acquired = await replay.acquire({ owner: 'host-a:456', now, leaseMs: 1_000 });
    await replay.commit({ lease: acquired.lease, key: 'prod#admin', position: { time: now - 3_600_000, boundary: [], mode: 'legacy', updatedAt: now }, now, leaseMs: 1_000 });
    await replay.release(acquired.lease);

    const json = await runCli(['status', '--state', stateDir, '--tenant', 'acme-corp', '--json'], {});
    expect(json.code, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout) as StatusJson;
    expect(status.cursors.map((cursor) => cursor.name)).toEqual(['acme-corp', 'acme-corp.replay-0123456789ab']);
    expect(status.cursors[0]).toMatchObject({
      lease: { owner: 'host-a:123', expired: false },
      streams: [{ realm: 'prod', stream: 'user', time: new Date(now - 90_000).toISOString(), boundary: 2, mode: 'modern', updatedAt: new Date(now).toISOString(), lateEvents: 7 }],
    });
    expect(status.cursors[0]!.streams[0]!.lagSeconds).toBeGreaterThanOrEqual(90);
    expect(status.cursors[1]).toMatchObject({ lease: null, streams: [{ realm: 'prod', stream: 'admin', mode: 'legacy', lateEvents: 0 }] });

    const text = await runCli(['status', '--tenant', 'acme-corp'], { STATE_DIR: stateDir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('live cursor  lease: host-a:123 until');
    expect(text.stdout).toMatch(/prod +user +\S+Z +\d+s +2 +modern +\S+Z +7$/m);
    expect(text.stdout).toContain('LATE: events the look-back delivered');
    expect(text.stdout).toContain('acme-corp.replay-0123456789ab  lease: free');
    await live.release(lease);
  });

  it('says there is no cursor yet in an empty state directory, and exits 2 for one that does not exist', async () => {
    const empty = await runCli(['status', '--state', stateDir], {});
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('no cursor yet');
    const missing = await runCli(['status', '--state', join(stateDir, 'nope')], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    expect((await runCli(['status', '--region', 'eu-west-1'], {})).code).toBe(2);
  });

  it('reads the DynamoDB cursor table of the AWS deployment', async () => {
    const table = await createCursorTable();
    const store = new DynamoDbCursorStore({ client: dynamoClient(), tableName: table, tenant: 'acme' });
    const now = Date.now();
    const { lease } = await store.acquire({ owner: 'poller-request-1', now, leaseMs: 120_000 });
    await store.commit({ lease, key: 'acme#admin', position: { time: now - 5_000, boundary: ['x'], mode: 'modern', updatedAt: now }, now, leaseMs: 120_000 });

    const result = await runCli(['status', '--table', table, '--endpoint', inject('dynamodbEndpoint'), '--tenant', 'acme', '--json'], awsEnv);
    expect(result.code, result.stderr).toBe(0);
    const status = JSON.parse(result.stdout) as StatusJson;
    expect(status.source).toContain(table);
    expect(status.cursors).toHaveLength(1);
    expect(status.cursors[0]).toMatchObject({ name: 'acme', lease: { owner: 'poller-request-1' }, streams: [{ realm: 'acme', stream: 'admin', boundary: 1 }] });
  });
});
