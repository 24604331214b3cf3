import type { SiemConfig } from '../config/siem-config-schema.js';
import { createDatadogLogsSink } from '../sinks/datadog/datadog-logs-sink.js';
import { createElasticBulkSink } from '../sinks/elastic/elastic-bulk-sink.js';
import { createHttpsSink } from '../sinks/https/https-sink.js';
import { createSentinelLogsSink } from '../sinks/sentinel/sentinel-logs-sink.js';
import type { Sink } from '../sinks/sink.js';
import { createSplunkHecSink } from '../sinks/splunk-hec/splunk-hec-sink.js';
import { createSumoLogicSink } from '../sinks/sumo-logic/sumo-logic-sink.js';
import { createSyslogTlsSink } from '../sinks/syslog/syslog-tls-sink.js';

/** The sink of the configured SIEM type, with the shared `batch` and `request` settings. */
export function sinkFromConfig(siem: SiemConfig): Sink {
  const shared = {
    url: siem.url,
    format: siem.format,
    timeoutMs: siem.timeoutMs,
    concurrency: siem.concurrency,
    maxBatchEvents: siem.maxBatchEvents,
    maxBatchBytes: siem.maxBatchBytes,
    attempts: siem.attempts,
    gzip: siem.gzip,
    caFile: siem.caFile,
  };
  switch (siem.type) {
    case 'https':
      return createHttpsSink({ ...shared, batch: siem.batch, auth: siem.auth });
    case 'splunk-hec':
      return createSplunkHecSink({
        ...shared,
        token: siem.auth.token,
        index: siem.splunk.index,
        source: siem.splunk.source,
        sourcetype: siem.splunk.sourcetype,
        host: siem.splunk.host,
        useAck: siem.splunk.useAck,
        ackTimeoutMs: siem.splunk.ackTimeoutMs,
      });
    case 'elastic':
      return createElasticBulkSink({ ...shared, auth: siem.auth, index: siem.elastic.index });
    case 'datadog':
      return createDatadogLogsSink({ ...shared, apiKey: siem.auth.apiKey, ...siem.datadog });
    case 'sumo-logic':
      return createSumoLogicSink({ ...shared, token: siem.auth.token, ...siem.sumo });
    case 'sentinel':
      return createSentinelLogsSink({ ...shared, clientSecret: siem.auth.clientSecret, ...siem.sentinel });
    case 'syslog':
      return createSyslogTlsSink({ ...shared, ...siem.syslog });
  }
}
