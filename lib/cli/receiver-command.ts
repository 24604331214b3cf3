import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsJsonReceiver } from '../../devtools/siem-receiver/aws-json-receiver.js';
import type { AwsJsonReceiver } from '../../devtools/siem-receiver/aws-json-receiver.js';
import { RECEIVER_REGION } from '../../devtools/siem-receiver/eventbridge-receiver.js';
import { selfSignedCertificate } from '../../devtools/siem-receiver/self-signed-certificate.js';
import { startSiemReceiver } from '../../devtools/siem-receiver/siem-receiver.js';
import type { SiemReceiver, SiemReceiverOptions } from '../../devtools/siem-receiver/siem-receiver.js';
import { startSyslogTlsReceiver } from '../../devtools/siem-receiver/syslog-tls-receiver.js';
import type { SyslogTlsReceiver } from '../../devtools/siem-receiver/syslog-tls-receiver.js';
import type { Command } from './command.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { parseOptions } from './parse-options.js';

const HTTP_TYPES = ['https', 'splunk-hec', 'elastic', 'datadog', 'sumo-logic', 'sentinel'] as const;
type HttpType = (typeof HTTP_TYPES)[number];
const AWS_TYPES = ['eventbridge', 'firehose'] as const;
type AwsType = (typeof AWS_TYPES)[number];
type ReceiverType = HttpType | 'syslog' | AwsType;
const TYPES: readonly ReceiverType[] = [...HTTP_TYPES, 'syslog', ...AWS_TYPES];

const USAGE = `usage: mpas-log-sync receiver [--port N] [--type ${TYPES.join('|')}|all] [--json]

Starts the bundled SIEM receiver on 127.0.0.1: it speaks the protocol of the chosen SIEM type as
the product does (its paths, credentials, answers and limits), keeps what it is sent in memory and
says how many events arrived. Prints the settings that point \`run\`, \`backfill\`, \`replay\` and
\`dlq\` at it. Runs until Ctrl-C or SIGTERM. With \`simulator\`, the service can be tried end to
end on one machine:

  mpas-log-sync simulator                 # prints the MPAS_* settings
  mpas-log-sync receiver --type splunk-hec   # prints the SIEM_* settings

  --port N     port to listen on (default 8188; 0 for any free port). With --type all the
               HTTP types share it, syslog takes the next one and EventBridge and Firehose
               (one AWS endpoint) the one after (any free ones with 0)
  --type T     the SIEM type to receive for (default https): ${TYPES.join(', ')}, or all.
               syslog is TLS: its certificate is made with openssl, and SIEM_CA_FILE names it.
               eventbridge and firehose answer the AWS SDK (PutEvents, PutRecordBatch) as
               AWS does; the printed AWS_ACCESS_KEY_ID is the only key they take
  --json       print the URLs and settings as one JSON line, and at the stop one with the
               events received by type`;

// The receiver listens on loopback only and keeps what it gets in memory: these are not secrets.
const TOKEN = 'receiver-token-not-secret';
const API_KEY = 'receiver-api-key-not-secret';
const AWS_ACCESS_KEY_ID = 'AKIARECEIVERNOTSECRET';
const AWS_SECRET_ACCESS_KEY = 'receiver-aws-secret-not-secret';
const FIREHOSE_STREAM = 'mpas-events';
const CLIENT_SECRET = 'receiver-client-secret-not-secret';
const SENTINEL = {
  tenantId: '00000000-0000-4000-8000-000000000001',
  clientId: '00000000-0000-4000-8000-000000000002',
  dcrImmutableId: 'dcr-00000000000000000000000000000001',
  streamName: 'Custom-MpasEvents_CL',
};

/** The receiver's options for the product protocols of `types` (the generic endpoint is always served). */
function protocolsOf(types: readonly HttpType[]): SiemReceiverOptions {
  const options: SiemReceiverOptions = { auth: { bearerToken: TOKEN } };
  if (types.includes('splunk-hec')) options.splunk = { token: TOKEN };
  if (types.includes('elastic')) options.elastic = { apiKey: API_KEY };
  if (types.includes('datadog')) options.datadog = { apiKey: API_KEY };
  if (types.includes('sumo-logic')) options.sumo = { token: TOKEN };
  if (types.includes('sentinel')) options.sentinel = { ...SENTINEL, clientSecret: CLIENT_SECRET };
  return options;
}

/** The settings that point `run` at the receiver for `type`. */
function settingsOf(type: HttpType, url: string): Record<string, string> {
  switch (type) {
    case 'https':
      return { SIEM_TYPE: 'https', SIEM_URL: `${url}/ingest`, SIEM_BATCH: 'ndjson', SIEM_TOKEN: TOKEN };
    case 'splunk-hec':
    case 'sumo-logic':
      return { SIEM_TYPE: type, SIEM_URL: url, SIEM_TOKEN: TOKEN };
    case 'elastic':
    case 'datadog':
      return { SIEM_TYPE: type, SIEM_URL: url, SIEM_API_KEY: API_KEY };
    case 'sentinel':
      return {
        SIEM_TYPE: 'sentinel',
        SIEM_URL: url,
        SIEM_CLIENT_SECRET: CLIENT_SECRET,
        SENTINEL_AUTHORITY: url,
        SENTINEL_TENANT_ID: SENTINEL.tenantId,
        SENTINEL_CLIENT_ID: SENTINEL.clientId,
        SENTINEL_DCR_ID: SENTINEL.dcrImmutableId,
        SENTINEL_STREAM: SENTINEL.streamName,
      };
  }
}

/** The settings that point `run` at the local AWS endpoint for `type`: the SDK's endpoint, region and a key it takes. */
function awsSettingsOf(type: AwsType, url: string): Record<string, string> {
  const credentials = { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY };
  return type === 'eventbridge'
    ? { SIEM_TYPE: 'eventbridge', SIEM_URL: url, EVENTBRIDGE_BUS: 'default', EVENTBRIDGE_REGION: RECEIVER_REGION, ...credentials }
    : { SIEM_TYPE: 'firehose', SIEM_URL: url, FIREHOSE_STREAM, FIREHOSE_REGION: RECEIVER_REGION, ...credentials };
}

/** Counts arrivals and says them at most once a second, so live traffic reads as a few lines. */
function arrivalReporter(out: (line: string) => void): { count(type: string): void; stop(): void; totals(): Record<string, number> } {
  const pending = new Map<string, number>();
  const totals: Record<string, number> = {};
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const parts = [...pending].map(([type, count]) => `${count} (${type})`);
    pending.clear();
    if (parts.length > 0) out(`received ${parts.join(', ')}; total ${Object.values(totals).reduce((sum, count) => sum + count, 0)}`);
  };
  return {
    count: (type) => {
      pending.set(type, (pending.get(type) ?? 0) + 1);
      totals[type] = (totals[type] ?? 0) + 1;
      timer ??= setTimeout(flush, 1_000);
    },
    stop: () => {
      if (timer) clearTimeout(timer);
      flush();
    },
    totals: () => ({ ...totals }),
  };
}

/** Which HTTP type a request path belongs to (the generic endpoint takes every other path). */
function typeOfPath(path: string): HttpType {
  if (path.startsWith('/services/collector')) return 'splunk-hec';
  if (path.endsWith('/_bulk')) return 'elastic';
  if (path === '/api/v2/logs') return 'datadog';
  if (path.startsWith('/receiver/v1/http/')) return 'sumo-logic';
  if (path.startsWith('/dataCollectionRules/')) return 'sentinel';
  return 'https';
}

/** `mpas-log-sync receiver`. */
export const receiverCommand: Command = {
  summary: 'start the bundled SIEM receiver (every SIEM type\'s protocol) to try run against',
  usage: USAGE,
  async run(args, _env, io) {
    const { values } = parseOptions(args, { port: { type: 'string' }, type: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    const port = values.port === undefined ? 8188 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
    const type = values.type ?? 'https';
    if (type !== 'all' && !TYPES.includes(type as ReceiverType)) throw new UsageError(`--type must be one of ${TYPES.join(', ')} or all, got "${type}"`);
    const types = type === 'all' ? TYPES : [type as ReceiverType];
    const httpTypes = HTTP_TYPES.filter((candidate) => types.includes(candidate));
    const awsTypes = AWS_TYPES.filter((candidate) => types.includes(candidate));

    const reporter = arrivalReporter((line) => {
      if (!values.json) io.out(line);
    });
    let http: SiemReceiver | undefined;
    let syslog: SyslogTlsReceiver | undefined;
    let aws: AwsJsonReceiver | undefined;
    let certificateDir: string | undefined;
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const receivers: Array<{ type: ReceiverType; url: string; settings: Record<string, string> }> = [];
      if (httpTypes.length > 0) {
        http = await startSiemReceiver({ ...protocolsOf(httpTypes), port });
        http.onReceive((item) => reporter.count(typeOfPath(item.path)));
        for (const httpType of httpTypes) receivers.push({ type: httpType, url: http.url, settings: settingsOf(httpType, http.url) });
      }
      if (types.includes('syslog')) {
        certificateDir = await mkdtemp(join(tmpdir(), 'mpas-log-sync-receiver-'));
        const certificate = selfSignedCertificate(certificateDir, 'mpas-log-sync receiver');
        syslog = await startSyslogTlsReceiver({ tls: certificate, port: http && port !== 0 ? port + 1 : port });
        syslog.onReceive(() => reporter.count('syslog'));
        receivers.push({ type: 'syslog', url: syslog.url, settings: { SIEM_TYPE: 'syslog', SIEM_URL: syslog.url, SIEM_CA_FILE: certificate.certFile } });
      }
      if (awsTypes.length > 0) {
        const taken = (http ? 1 : 0) + (syslog ? 1 : 0);
        aws = await startAwsJsonReceiver({
          port: port === 0 ? 0 : port + taken,
          accessKeyId: AWS_ACCESS_KEY_ID,
          ...(awsTypes.includes('eventbridge') ? { eventbridge: {} } : {}),
          ...(awsTypes.includes('firehose') ? { firehose: { streams: [FIREHOSE_STREAM] } } : {}),
        });
        aws.onReceive((entry) => reporter.count(entry.api));
        for (const awsType of awsTypes) receivers.push({ type: awsType, url: aws.url, settings: awsSettingsOf(awsType, aws.url) });
      }
      if (values.json) {
        io.out(JSON.stringify({ receivers }));
      } else {
        io.out(`SIEM receiver listening on 127.0.0.1 for ${types.join(', ')}`);
        for (const receiver of receivers) {
          io.out(`\n${receiver.type} at ${receiver.url}; point mpas-log-sync at it with:`);
          for (const [name, value] of Object.entries(receiver.settings)) io.out(`  ${name}=${value}`);
        }
        io.out('\nCtrl-C to stop.');
      }
      await new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        stop.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      reporter.stop();
      const totals = reporter.totals();
      if (values.json) io.out(JSON.stringify({ stopped: true, received: totals }));
      else io.out(`stopped; received ${Object.entries(totals).map(([name, count]) => `${count} (${name})`).join(', ') || 'nothing'}`);
      return ExitCode.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      reporter.stop();
      await http?.close();
      await syslog?.close();
      await aws?.close();
      if (certificateDir) await rm(certificateDir, { recursive: true, force: true });
    }
  },
};
