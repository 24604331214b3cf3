import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { SqsForwarderPorts } from '../../../lib/aws/sqs-forwarder-ports.js';
import { generateEvents } from '../../../devtools/generators/event-generator.js';
import type { MpasSimulator } from '../../../devtools/mpas-simulator/index.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { messageBody } from '../../../lib/core/queue/message-body.js';
import { cleanupAwsFixtures, createQueuePair, sqsClient, testAwsConfig } from '../../support/aws-fixtures.js';
import { killAllCli, localRunEnv, runCli } from '../../support/cli-process.js';
import { startSimulatorForSync } from '../../support/simulator-client.js';

const awsEnv = {
  AWS_ACCESS_KEY_ID: testAwsConfig.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: testAwsConfig.credentials.secretAccessKey,
  AWS_REGION: testAwsConfig.region,
};

interface InspectJson {
  approximateTotal: number;
  messages: Array<{ messageId: string; reason: string | null; detail: string | null; batchId: string | null; realm: string | null; stream: string | null; events: number | null; redaction: string | null }>;
}

describe('mpas-log-sync dlq on SQS (fauxqs)', () => {
  afterEach(async () => {
    await killAllCli();
    await cleanupAwsFixtures();
  });

  async function queueDepth(url: string): Promise<number> {
    const output = await sqsClient().send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(output.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }

  it('inspect lists the dead letters with reasons and batch ids and leaves them; redrive re-sends each to the queue and deletes it', async () => {
    const pair = await createQueuePair('dlq-cli');
    const ports = new SqsForwarderPorts({ client: sqsClient(), queueUrl: pair.queueUrl, deadLetterQueueUrl: pair.dlqUrl });
    const events = generateEvents({ seed: 3, realm: 'acme', count: 6, startTime: Date.UTC(2026, 10, 1), spacingMs: 1000, adminShare: 0 }).user;
    // batch-2 as the forwarder dead-letters now: its events redacted, marked with the settings' fingerprint.
    const batches = [0, 1, 2].map((index) => ({ v: 1 as const, tenant: 'acme', realm: 'acme', stream: 'user' as const, batchId: `batch-${index}`, ...(index === 2 ? { redaction: 'r1:fingerprint' } : {}), events: events.slice(index * 2, index * 2 + 2) }));
    for (const [index, batch] of batches.entries()) {
      await ports.deadLetter({ body: messageBody(batch), reason: index === 0 ? 'invalid-message' : 'rejected-by-siem', detail: `SIEM said no to ${index}`, sourceMessageId: `m-${index}`, batchId: batch.batchId });
    }
    const endpoint = inject('sqsEndpoint');

    for (let round = 0; round < 2; round++) {
      const inspect = await runCli(['dlq', 'inspect', '--queue-url', pair.dlqUrl, '--endpoint', endpoint, '--json'], awsEnv);
      expect(inspect.code, inspect.stderr).toBe(0);
      const { approximateTotal, messages: listed } = JSON.parse(inspect.stdout) as InspectJson;
      expect(approximateTotal).toBe(3);
      expect(listed.map((message) => message.batchId).sort()).toEqual(['batch-0', 'batch-1', 'batch-2']);
      expect(listed.find((message) => message.batchId === 'batch-1')).toMatchObject({ reason: 'rejected-by-siem', detail: 'SIEM said no to 1', realm: 'acme', stream: 'user', events: 2, redaction: null });
      expect(listed.find((message) => message.batchId === 'batch-2')).toMatchObject({ redaction: 'r1:fingerprint' });
    }
    const text = await runCli(['dlq', 'inspect', '--queue-url', pair.dlqUrl, '--endpoint', endpoint], awsEnv);
    expect(text.stdout).toMatch(/^3 dead-lettered message\(s\) in \S+ \(left in the queue\):$/m);
    expect(text.stdout).toMatch(/invalid-message +batch batch-0 +acme user +2 events +not redacted \(as queued\)/);
    expect(text.stdout).toMatch(/batch batch-2 +acme user +2 events +redacted$/m);
    expect(await queueDepth(pair.dlqUrl)).toBe(3);
    // A listing cut by --max says of how many (SQS's approximate count).
    const firstTwo = await runCli(['dlq', 'inspect', '--queue-url', pair.dlqUrl, '--endpoint', endpoint, '--max', '2'], awsEnv);
    expect(firstTwo.stdout).toMatch(/^first 2 of about 3 dead-lettered message\(s\) in \S+ \(left in the queue; --max N lists more\):$/m);
    expect(firstTwo.stdout.match(/ events /g)).toHaveLength(2);

    const redrive = await runCli(['dlq', 'redrive', '--queue-url', pair.dlqUrl, '--to', pair.queueUrl, '--endpoint', endpoint, '--json'], awsEnv);
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(JSON.parse(redrive.stdout)).toMatchObject({ method: 'resend', moved: 3, fallbackReason: expect.stringContaining('not a queue of a real AWS account') });
    expect(await queueDepth(pair.dlqUrl)).toBe(0);
    const back = await sqsClient().send(new ReceiveMessageCommand({ QueueUrl: pair.queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
    expect(back.Messages).toHaveLength(3);
    for (const message of back.Messages!) {
      const batch = batches.find((candidate) => candidate.batchId === message.MessageAttributes?.batchId?.StringValue);
      expect(message.Body).toBe(messageBody(batch));
      expect(message.MessageAttributes?.reason).toBeUndefined();
    }
  });

  it('redrive --max moves only that many, and exits 2 without --to or with both --queue-url and --state', async () => {
    const pair = await createQueuePair('dlq-max');
    const ports = new SqsForwarderPorts({ client: sqsClient(), queueUrl: pair.queueUrl, deadLetterQueueUrl: pair.dlqUrl });
    for (let index = 0; index < 4; index++) await ports.deadLetter({ body: `{"broken":${index}`, reason: 'invalid-message', detail: 'not JSON', sourceMessageId: `m-${index}` });
    const endpoint = inject('sqsEndpoint');
    const redrive = await runCli(['dlq', 'redrive', '--queue-url', pair.dlqUrl, '--to', pair.queueUrl, '--endpoint', endpoint, '--max', '3'], awsEnv);
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stdout).toContain('3 message(s) re-sent');
    expect(await queueDepth(pair.dlqUrl)).toBe(1);
    expect(await queueDepth(pair.queueUrl)).toBe(3);

    const noTarget = await runCli(['dlq', 'redrive', '--queue-url', pair.dlqUrl, '--endpoint', endpoint], awsEnv);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('needs --to');
    expect((await runCli(['dlq', 'inspect', '--queue-url', pair.dlqUrl, '--state', '/tmp'], awsEnv)).code).toBe(2);
    expect((await runCli(['dlq'], {})).code).toBe(2);
  });
});

describe('mpas-log-sync dlq on the local dead-letter file', () => {
  const PASSWORD = 'dlq-test-password-0c9e';
  let simulator: MpasSimulator;
  let receiver: SiemReceiver;
  let stateDir: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    simulator = await startSimulatorForSync(PASSWORD);
    receiver = await startSiemReceiver();
    stateDir = await mkdtemp(join(tmpdir(), 'cli-dlq-'));
    env = localRunEnv({ mpasUrl: simulator.url, password: PASSWORD, startFrom: Date.now() - 3_600_000, stateDir, siemUrl: `${receiver.url}/ingest` }, { SIEM_BATCH: 'single' });
  });

  afterEach(async () => {
    await killAllCli();
    await receiver.close();
    await simulator.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('inspect lists what the SIEM refused; redrive delivers it once the SIEM takes it and empties the file, and keeps what is refused again', async () => {
    const events = generateEvents({ seed: 8, realm: 'acme', count: 30, startTime: Date.now() - 600_000, spacingMs: 1000, adminShare: 0 }).user;
    simulator.add('acme', 'user', events);
    const refused = new Set([events[3]!.id!, events[17]!.id!]);
    receiver.rejectWhen((item) => ([...refused].some((id) => item.text.includes(id)) ? 400 : undefined));
    // A state directory others could read (made by hand): run narrows it and says so.
    await chmod(stateDir, 0o755);
    const run = await runCli(['run', '--once'], env);
    expect(run.code).toBe(1);
    expect(receiver.received()).toHaveLength(28);
    expect(run.stdout).toMatch(/"level":"warn".*state files a group or others could read are now the owner's alone.*"from":"0755","to":"0700"/);
    const file = join(stateDir, 'default.dead-letters.ndjson');
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // At rest as the SIEM would have received them: the default masks, marked with their fingerprint.
    const resting = await readFile(file, 'utf8');
    for (const id of refused) {
      const event = events.find((candidate) => candidate.id === id)!;
      expect(resting).toContain(id);
      expect(resting).not.toContain(`"${event.ipAddress}"`);
      expect(resting).not.toContain(`"${event.details!['username']}"`);
    }
    expect(resting.match(/"redaction":"r1:[\w-]+"/g)).toHaveLength(2);

    const inspect = await runCli(['dlq', 'inspect', '--state', stateDir, '--json'], {});
    expect(inspect.code, inspect.stderr).toBe(0);
    const listed = JSON.parse(inspect.stdout) as { total: number; records: Array<{ reason: string; realm: string; stream: string; events: number }> };
    expect(listed.total).toBe(2);
    expect(listed.records).toHaveLength(2);
    expect(listed.records[0]).toMatchObject({ reason: 'rejected-by-siem', realm: 'acme', stream: 'user', events: 1 });

    // The SIEM's reason once, as the sink gave it (not "HTTP 400: HTTP 400: ...").
    const text = await runCli(['dlq', 'inspect', '--state', stateDir, '--max', '1'], {});
    expect(text.stdout).toMatch(/^first 1 of 2 dead-letter record\(s\) in \S+ \(--max N lists more\):$/m);
    expect(text.stdout).toMatch(/^ {6}HTTP 400: \S/m);
    expect(text.stdout).not.toContain('HTTP 400: HTTP');

    // The SIEM now takes the first of the two: --max 1 sends it and says nothing of the other but that it was not tried.
    refused.delete(events[3]!.id!);
    const first = await runCli(['dlq', 'redrive', '--state', stateDir, '--max', '1'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('1 event(s) delivered again');
    expect(first.stdout).toContain('0 record(s) not delivered; 1 record(s) past --max 1 not tried, left as they were');
    expect(first.stdout).not.toContain('rejected-by-siem');
    expect(receiver.received()).toHaveLength(29);
    const again = await runCli(['dlq', 'redrive', '--state', stateDir, '--json'], env);
    expect(again.code, again.stderr).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ delivered: 0, untried: 0, remaining: [{ reason: 'rejected-by-siem', events: 1, detail: expect.stringMatching(/^HTTP 400: (?!HTTP)/) }] });

    refused.clear();
    const rest = await runCli(['dlq', 'redrive', '--state', stateDir], env);
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toContain('1 event(s) delivered again');
    expect(rest.stdout).toContain("1 record(s) redacted with the route's settings: sent as stored");
    expect(receiver.received()).toHaveLength(30);
    expect(new Set(receiver.received().map((item) => (item.json as { event: { id: string } }).event.id)).size).toBe(30);
    expect(await readFile(join(stateDir, 'default.dead-letters.ndjson'), 'utf8')).toBe('');
    const empty = await runCli(['dlq', 'inspect', '--state', stateDir], {});
    expect(empty.stdout).toContain('no dead letters');
  });

  it('inspect says how many records there are when it lists the first --max of them', async () => {
    const record = { at: '2026-11-22T00:00:00.000Z', reason: 'rejected-by-siem', detail: 'HTTP 400: no', tenant: 'default', realm: 'acme', stream: 'user', batchId: 'b', events: [{ id: 'e' }] };
    await writeFile(join(stateDir, 'default.dead-letters.ndjson'), `${JSON.stringify(record)}\n`.repeat(1237), { mode: 0o600 });
    const inspect = await runCli(['dlq', 'inspect', '--state', stateDir], {});
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout.split('\n')[0]).toMatch(/^first 100 of 1,237 dead-letter record\(s\) in \S+ \(--max N lists more\):$/);
    expect(inspect.stdout.match(/^ {2}2026-11-22T00:00:00.000Z /gm)).toHaveLength(100);
  });

  it('redrive sends a record back through the route that refused it, not the others', async () => {
    const second = await startSiemReceiver();
    try {
      const events = generateEvents({ seed: 9, realm: 'acme', count: 10, startTime: Date.now() - 600_000, spacingMs: 1000, adminShare: 0 }).user;
      simulator.add('acme', 'user', events);
      let refuse = true;
      second.rejectWhen((item) => (refuse && item.text.includes(events[4]!.id!) ? 400 : undefined));
      const configFile = join(stateDir, 'routes.json');
      await writeFile(configFile, JSON.stringify({ routes: [{ name: 'second', siem: { type: 'https', url: `${second.url}/ingest`, batch: 'single' } }] }));
      const run = await runCli(['run', '--once', '--config', configFile], env);
      expect(run.code).toBe(1);
      expect(receiver.received()).toHaveLength(10);
      expect(second.received()).toHaveLength(9);

      refuse = false;
      const redrive = await runCli(['dlq', 'redrive', '--state', stateDir, '--config', configFile, '--json'], env);
      expect(redrive.code, redrive.stderr).toBe(0);
      expect(JSON.parse(redrive.stdout)).toMatchObject({ delivered: 1, remaining: [] });
      expect(second.received()).toHaveLength(10);
      expect(receiver.received()).toHaveLength(10);
    } finally {
      await second.close();
    }
  });
});
