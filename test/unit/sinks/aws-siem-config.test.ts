import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config-error.js';
import { loadConfig } from '../../../lib/config/load-config.js';
import { eventBridgeEntry, eventBridgeEntryBytes } from '../../../lib/sinks/eventbridge/eventbridge-entries.js';
import { firehoseRecordBytes, firehoseRecordData } from '../../../lib/sinks/firehose/firehose-records.js';
import { streamNameOf } from '../../../lib/sinks/firehose/config.js';

const MPAS_ENV = { MPAS_BASE_URL: 'https://mpas.example.com', MPAS_REALMS: 'customers', MPAS_USERNAME: 'mpas-log-sync', MPAS_PASSWORD: 'pw' };

/** What `check` and `run` say of these environment settings: each problem as `VARIABLE: message`. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ env: { ...MPAS_ENV, ...env } });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.setting}: ${problem.message}`);
  }
}

describe('the eventbridge and firehose settings', () => {
  it('take no SIEM_URL, no credential, and default the bus, the source and the detail types', () => {
    const config = loadConfig({ env: { ...MPAS_ENV, SIEM_TYPE: 'eventbridge' } });
    expect(config.siem).toMatchObject({
      type: 'eventbridge',
      format: 'json',
      auth: { kind: 'none' },
      eventbridge: { bus: 'default', source: 'mpas-log-sync', userDetailType: 'MPAS User Event', adminDetailType: 'MPAS Admin Event', resources: [] },
    });
    expect(config.siem.url).toBeUndefined();
  });

  it('refuse a line format for eventbridge, naming the formats that fit, and take it for firehose', () => {
    expect(problemsOf({ SIEM_TYPE: 'eventbridge', SIEM_FORMAT: 'cef' })).toEqual([
      expect.stringMatching(/^SIEM_FORMAT: must be a JSON document format for eventbridge \(json[^)]*\): its entries carry a JSON object, a line format such as cef does not fit/),
    ]);
    expect(problemsOf({ SIEM_TYPE: 'firehose', FIREHOSE_STREAM: 'mpas-audit', SIEM_FORMAT: 'cef' })).toEqual([]);
  });

  it('name what is wrong with the bus, source, region and stream, and a credential given to them', () => {
    expect(problemsOf({ SIEM_TYPE: 'eventbridge', EVENTBRIDGE_SOURCE: 'aws.cognito', EVENTBRIDGE_BUS: 'arn:aws:events:eu-west-1:111122223333:event-bus/security', EVENTBRIDGE_REGION: 'us-east-1' })).toEqual([
      expect.stringMatching(/^EVENTBRIDGE_SOURCE: must not start with "aws\."/),
      expect.stringMatching(/^EVENTBRIDGE_REGION: region differs from the region of the bus ARN/),
    ]);
    expect(problemsOf({ SIEM_TYPE: 'firehose' })).toEqual(['FIREHOSE_STREAM: is required']);
    expect(problemsOf({ SIEM_TYPE: 'firehose', FIREHOSE_STREAM: 'no spaces allowed' })).toEqual([expect.stringMatching(/^FIREHOSE_STREAM: must be a Firehose stream name/)]);
    const withToken = problemsOf({ SIEM_TYPE: 'firehose', FIREHOSE_STREAM: 'mpas-audit', SIEM_TOKEN: 'tok-123456' });
    expect(withToken).toEqual([expect.stringMatching(/must be none: the AWS types sign with the role/)]);
    expect(withToken.join('\n')).not.toContain('tok-123456');
  });

  it('read a stream ARN as its name', () => {
    expect(streamNameOf('arn:aws:firehose:eu-west-1:111122223333:deliverystream/mpas-audit')).toBe('mpas-audit');
    expect(streamNameOf('mpas-audit')).toBe('mpas-audit');
  });
});

describe('entries and records', () => {
  const event = { key: 'k1', time: 1_739_388_468_633, realm: 'acme', stream: 'admin' as const, payload: '{"eventType":"admin-event","note":"é"}' };
  const template = { bus: 'security', source: 'mpas', userDetailType: 'User', adminDetailType: 'Admin Event', resources: ['arn:aws:x:::y'] };

  it('size an EventBridge entry as its user guide counts it: 14 for Time and the UTF-8 bytes of Source, DetailType, Detail, Resources', () => {
    expect(eventBridgeEntryBytes(event, template)).toBe(14 + 4 + 11 + Buffer.byteLength(event.payload) + 13);
    expect(eventBridgeEntry(event, template)).toEqual({ EventBusName: 'security', Source: 'mpas', DetailType: 'Admin Event', Detail: event.payload, Time: new Date(event.time), Resources: ['arn:aws:x:::y'] });
    expect(eventBridgeEntry({ ...event, stream: 'user' }, { ...template, resources: [] })).not.toHaveProperty('Resources');
  });

  it('end a Firehose record with a newline, counted in its size', () => {
    expect(Buffer.from(firehoseRecordData(event)).toString('utf8')).toBe(`${event.payload}\n`);
    expect(firehoseRecordBytes(event)).toBe(Buffer.byteLength(event.payload) + 1);
  });
});
