import { hostname } from 'node:os';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readEnvSettings } from '../config/env-settings.js';
import { loadConfig } from '../config/load-config.js';
import { FileCursorStore } from '../stores/cursor/file-cursor-store.js';
import { countDeadLetters, inspectDeadLetters, redriveDeadLetters } from '../aws/dlq-tools.js';
import { routesFromConfig } from '../runtime/routes-from-config.js';
import { readDeadLetterFile, redriveDeadLetterFile } from '../local/dead-letter-tools.js';
import { systemClock } from '../core/time/clock.js';
import { VERSION } from '../version.js';
import type { CliIo, Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions, positiveInteger } from './parse-options.js';

const USAGE = `usage: mpas-log-sync dlq inspect (--queue-url URL | --state DIR) [--max N] [--json]
       mpas-log-sync dlq redrive (--queue-url URL --to URL | --state DIR) [--max N] [--json]

What could not be delivered, and sending it again.

AWS (the deployment's dead-letter queue):
  inspect   lists dead-lettered messages with their reason, detail, batch id, realm, stream,
            event count and whether the events rest redacted (dead-lettered by the forwarder)
            or as queued (moved by SQS after maxReceiveCount: not redacted); receives them
            with a short visibility timeout and never deletes.
  redrive   moves them back to the event queue (--to), where the forwarder delivers them again
            (a dead letter the forwarder wrote holds its events redacted, marked with the
            settings' fingerprint: they are not redacted twice, see docs/data-at-rest.md):
            SQS's StartMessageMoveTask when the DLQ is a real AWS queue and --max is not given;
            otherwise (emulators, or an endpoint that does not support move tasks) each message
            is re-sent to the queue and deleted from the DLQ only after the send succeeded.
  --queue-url URL    the dead-letter queue
  --to URL           the event queue to move them back to (redrive)
  --region R         default: AWS_REGION;  --endpoint URL  an SQS endpoint other than AWS's
  Credentials come from the AWS SDK's usual chain (environment, profile, role).

Local (the on-prem process):
  inspect   lists <state>/<tenant>.dead-letters.ndjson
  redrive   delivers those events again through the configured redaction, format and SIEM
            of the route that refused them (--config and the environment, as for run) and
            removes what was delivered; what is refused again stays, with the new reason.
            Records hold their events redacted with the route's settings, marked with the
            settings' fingerprint: sent as stored when the route's settings are the same;
            when they changed, the new settings are applied to what is still in clear (a
            masked or hashed value is never hashed again); records of older versions (no
            mark, events in clear) are redacted. Takes the state directory's lock: stop
            \`run\` first.
  --state DIR        the state directory;  --tenant T  default TENANT or "default"
  --config FILE      JSON config file (redrive)

  --max N            at most N messages or records (inspect default 100; redrive default all);
                     inspect says of how many, a local redrive leaves the others as they are
  --json             one JSON document

Exit codes: 0 done (inspect: also when there is nothing), 1 something tried was not moved or
delivered, 2 bad usage or configuration.`;

const options = {
  'queue-url': { type: 'string' },
  to: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  state: { type: 'string' },
  tenant: { type: 'string' },
  config: { type: 'string' },
  max: { type: 'string' },
  json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseOptions<typeof options>>['values'];

/** 1237 as `1,237`: counts of dead letters can run into thousands. */
function count(value: number): string {
  return value.toLocaleString('en-US');
}

function sqsClient(values: Values, env: NodeJS.ProcessEnv): SQSClient {
  const region = values.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (!region) throw new UsageError('--queue-url needs --region (or AWS_REGION)');
  return new SQSClient({ region, ...(values.endpoint ? { endpoint: values.endpoint } : {}) });
}

async function awsDlq(action: string, values: Values, env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const queueUrl = values['queue-url']!;
  const client = sqsClient(values, env);
  try {
    if (action === 'inspect') {
      const max = positiveInteger('max', values.max, 100);
      // Counted before the listing hides what it received for a moment.
      const approximateTotal = await countDeadLetters(client, queueUrl);
      const messages = await inspectDeadLetters(client, { queueUrl, max });
      if (values.json) io.out(JSON.stringify({ queueUrl, approximateTotal, messages }, null, 2));
      else if (messages.length === 0) io.out(`${queueUrl}: empty`);
      else {
        const counted = approximateTotal > messages.length ? `${messages.length === max ? 'first ' : ''}${count(messages.length)} of about ${count(approximateTotal)}` : count(messages.length);
        io.out(`${counted} dead-lettered message(s) in ${queueUrl} (left in the queue${approximateTotal > messages.length ? `; --max N lists more` : ''}):`);
        for (const message of messages) {
          const resting = message.events === null ? '' : message.redaction === null ? '  not redacted (as queued)' : '  redacted';
          io.out(`  ${message.messageId}  ${message.sentAt ?? '-'}  ${message.reason ?? 'maxReceiveCount'}  batch ${message.batchId ?? '-'}  ${message.realm ?? '?'} ${message.stream ?? '?'}  ${message.events ?? '?'} events${resting}`);
          if (message.detail) io.out(`      ${message.detail}`);
          if (message.payload) io.out(`      ${'invalid' in message.payload ? `not a valid pointer: ${message.payload.invalid}` : `events in s3://${message.payload.bucket}/${message.payload.key} (${message.payload.bytes} bytes), kept until delivered or expired`}`);
        }
      }
      return ExitCode.ok;
    }
    if (values.to === undefined) throw new UsageError('dlq redrive --queue-url needs --to URL (the event queue)');
    const max = values.max === undefined ? undefined : positiveInteger('max', values.max, 1);
    const result = await redriveDeadLetters(client, { deadLetterQueueUrl: queueUrl, queueUrl: values.to, max });
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else if (result.method === 'move-task') io.out(`StartMessageMoveTask started (task ${result.taskHandle}): SQS moves the messages back to ${values.to}`);
    else io.out(`${result.moved} message(s) re-sent to ${values.to} and deleted from the DLQ${result.fallbackReason ? ` (re-send used: ${result.fallbackReason})` : ''}`);
    return ExitCode.ok;
  } finally {
    client.destroy();
  }
}

async function localDlq(action: string, values: Values, env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const stateDir = values.state!;
  if (action === 'inspect') {
    const settings = readEnvSettings(env).values as { tenant?: unknown };
    const tenant = values.tenant ?? (typeof settings.tenant === 'string' ? settings.tenant : 'default');
    const path = join(stateDir, `${tenant}.dead-letters.ndjson`);
    const all = (await readDeadLetterFile(path)).records;
    const records = all.slice(0, positiveInteger('max', values.max, 100));
    const rows = records.map(({ at, reason, detail, realm, stream, batchId, redaction, events }) => ({ at, reason, detail, realm, stream, batchId, redaction: redaction ?? null, events: events.length }));
    if (values.json) io.out(JSON.stringify({ path, total: all.length, records: rows }, null, 2));
    else if (rows.length === 0) io.out(`${path}: no dead letters`);
    else {
      const counted = all.length > rows.length ? `first ${count(rows.length)} of ${count(all.length)}` : count(rows.length);
      io.out(`${counted} dead-letter record(s) in ${path}${all.length > rows.length ? ' (--max N lists more)' : ''}:`);
      for (const row of rows) io.out(`  ${row.at}  ${row.reason}  batch ${row.batchId}  ${row.realm} ${row.stream}  ${row.events} events  ${row.redaction === null ? 'in clear (an older version)' : 'redacted'}\n      ${row.detail}`);
    }
    return ExitCode.ok;
  }
  const config = loadConfig({ env, configFile: values.config });
  if (values.tenant !== undefined && values.tenant !== config.tenant) throw new UsageError(`--tenant ${values.tenant} differs from the configured TENANT ${config.tenant}`);
  const path = join(stateDir, `${config.tenant}.dead-letters.ndjson`);
  const max = values.max === undefined ? undefined : positiveInteger('max', values.max, 1);
  // The lock keeps a `run` of this state directory from appending while the file is rewritten.
  const store = new FileCursorStore({ stateDir, tenant: config.tenant });
  const { lease } = await store.acquire({ owner: `${hostname()}:${process.pid}:dlq`, now: systemClock.now(), leaseMs: config.polling.leaseMs });
  const routes = routesFromConfig(config, { version: VERSION });
  try {
    const result = await redriveDeadLetterFile({ path, routes, clock: systemClock, max });
    if (values.json) io.out(JSON.stringify({ path, ...result }, null, 2));
    else {
      const untried = result.untried > 0 ? `; ${count(result.untried)} record(s) past --max ${max} not tried, left as they were` : '';
      io.out(`${count(result.delivered)} event(s) delivered again from ${path}; ${count(result.remaining.length)} record(s) not delivered${untried}`);
      const { 'as-stored': asStored, 'in-clear': inClear, 'other-settings': otherSettings } = result.redaction;
      if (asStored > 0) io.out(`  ${asStored} record(s) redacted with the route's settings: sent as stored`);
      if (inClear > 0) io.out(`  ${inClear} record(s) of an older version held events in clear: redacted with the route's settings`);
      if (otherSettings > 0) io.out(`  ${otherSettings} record(s) redacted under other settings: the route's settings applied to what was still in clear, masked and hashed values kept`);
      for (const row of result.remaining) io.out(`  ${row.reason}  batch ${row.batchId}  ${row.realm} ${row.stream}  ${row.events} events: ${row.detail}`);
    }
    // Records past --max were not asked for: only what was tried and not delivered fails the redrive.
    return result.remaining.length === 0 ? ExitCode.ok : ExitCode.failure;
  } finally {
    await Promise.all(routes.map(({ stages }) => stages.sink.close()));
    await store.release(lease);
  }
}

/** `mpas-log-sync dlq inspect|redrive`. */
export const dlqCommand: Command = {
  summary: 'list dead letters with their reasons, and send them again (SQS DLQ or local file)',
  usage: USAGE,
  async run(args, env, io) {
    const [action, ...rest] = args;
    if (action === undefined) throw new UsageError('dlq needs inspect or redrive');
    if (action === '--help' || action === '-h') {
      io.out(USAGE);
      return ExitCode.ok;
    }
    if (action !== 'inspect' && action !== 'redrive') throw new UsageError(`dlq needs inspect or redrive, got "${action}"`);
    const { values } = parseOptions(rest, options);
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    if ((values['queue-url'] === undefined) === (values.state === undefined)) throw new UsageError('give --queue-url URL (AWS) or --state DIR (local)');
    return values['queue-url'] !== undefined ? awsDlq(action, values, env, io) : localDlq(action, values, env, io);
  },
};
