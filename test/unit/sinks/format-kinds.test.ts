import { describe, expect, it } from 'vitest';
import type { AdminEvent, UserEvent } from '../../../lib/core/events/event-schemas.js';
import { formatterFor } from '../../../lib/core/formats/format-registry.js';
import type { FormatName } from '../../../lib/core/formats/format-registry.js';
import { encodeDatadogLog } from '../../../lib/sinks/datadog/datadog-logs-encoder.js';
import { elasticDocument } from '../../../lib/sinks/elastic/elastic-bulk-encoder.js';
import { frameBody, frameBodyBytes, planRequests } from '../../../lib/sinks/http-framing.js';
import { encodeSentinelRecord } from '../../../lib/sinks/sentinel/sentinel-logs-encoder.js';
import type { OutboundEvent } from '../../../lib/sinks/sink.js';
import { encodeHecEvent } from '../../../lib/sinks/splunk-hec/splunk-hec-encoder.js';
import { catalogSeverity, syslogMessage } from '../../../lib/sinks/syslog/syslog-framing.js';

const TIME = 1_739_388_468_633;
const login: UserEvent = { id: 'e-1', time: TIME, type: 'LOGIN_ERROR', realmId: 'acme', userId: 'u-1', ipAddress: '10.0.0.1', error: 'invalid_user_credentials', details: { username: 'alice' } };
const deleteRealm: AdminEvent = { id: 'a-1', time: TIME, realmId: 'acme', operationType: 'DELETE', resourceType: 'REALM', resourcePath: 'acme', authDetails: { userId: 'adm' } };

function outbound(format: FormatName, stream: 'user' | 'admin' = 'user'): OutboundEvent {
  const payload = formatterFor(format, { version: '1' }).encode(stream === 'user' ? login : deleteRealm, { tenant: 't', realm: 'acme', stream });
  return { key: stream === 'user' ? 'e-1' : 'a-1', time: TIME, realm: 'acme', stream, payload };
}

// The sinks frame by kind: a new format of a kind is framed as the first one of that kind is.
describe('sinks frame each format by its kind', () => {
  it('HTTPS: ecs documents as json ones, leef lines as cef ones', () => {
    const ecs = [outbound('ecs').payload, outbound('ecs', 'admin').payload];
    const leef = [outbound('leef').payload, outbound('leef', 'admin').payload];
    for (const batch of ['single', 'array', 'ndjson'] as const) {
      const items = batch === 'single' ? 1 : 2;
      expect(frameBody(ecs.slice(0, items), batch, 'ecs')).toEqual(frameBody(ecs.slice(0, items), batch, 'json'));
      expect(frameBody(leef.slice(0, items), batch, 'leef')).toEqual(frameBody(leef.slice(0, items), batch, 'cef'));
      expect(frameBodyBytes(leef.slice(0, items), batch, 'leef').body.toString()).toBe(frameBody(leef.slice(0, items), batch, 'leef').body);
    }
    expect(JSON.parse(frameBody(leef, 'array', 'leef').body)).toEqual(leef);
    expect(JSON.parse(frameBody(ecs, 'array', 'ecs').body)).toEqual(ecs.map((text) => JSON.parse(text) as unknown));
    expect(frameBody(leef, 'ndjson', 'leef').contentType).toBe('text/plain; charset=utf-8');
    expect(planRequests(leef, { batch: 'array', maxBatchEvents: 10, maxBatchBytes: 1024 + 4 }, 'leef')).toEqual(planRequests(leef, { batch: 'array', maxBatchEvents: 10, maxBatchBytes: 1024 + 4 }, 'cef'));
  });

  it('Elasticsearch stores an ECS document as it is: its own @timestamp, never a second one', () => {
    const event = outbound('ecs');
    expect(elasticDocument(event, 'ecs')).toBe(event.payload);
    expect(elasticDocument(outbound('leef'), 'leef')).toBe(JSON.stringify({ '@timestamp': '2025-02-12T19:27:48.633Z', message: outbound('leef').payload }));
  });

  it('Sentinel takes an ECS document whole as the Event column, and a LEEF line as Message', () => {
    const ecs = outbound('ecs');
    expect(JSON.parse(encodeSentinelRecord(ecs, 'ecs'))).toMatchObject({ EventId: 'e-1', Event: JSON.parse(ecs.payload) as object });
    expect(JSON.parse(encodeSentinelRecord(outbound('leef'), 'leef'))).toMatchObject({ Message: outbound('leef').payload });
  });

  it('Datadog and Splunk HEC: an ECS document goes in raw, a LEEF line as a string', () => {
    const metadata = { source: 'mpas', service: 'mpas-log-sync' };
    const datadog = JSON.parse(encodeDatadogLog(outbound('ecs'), 'ecs', metadata)) as Record<string, unknown>;
    expect(datadog).toMatchObject({ ddsource: 'mpas', '@timestamp': '2025-02-12T19:27:48.633Z', event: { action: 'LOGIN_ERROR' } });
    expect(JSON.parse(encodeDatadogLog(outbound('leef'), 'leef', metadata))).toMatchObject({ message: outbound('leef').payload });
    const hec = { source: 'mpas', sourcetype: 'leef' };
    expect(JSON.parse(encodeHecEvent(outbound('leef'), 'leef', hec))).toMatchObject({ event: outbound('leef').payload });
    expect(JSON.parse(encodeHecEvent(outbound('ecs'), 'ecs', hec))).toMatchObject({ event: JSON.parse(outbound('ecs').payload) as object });
  });

  it('syslog: the PRI says the catalog severity each format carries, and MSG is the LEEF line itself', () => {
    for (const format of ['json', 'cef', 'ecs', 'leef'] as const) {
      expect([catalogSeverity(outbound(format), format), catalogSeverity(outbound(format, 'admin'), format)], format).toEqual([6, 8]);
    }
    const message = syslogMessage(outbound('leef', 'admin'), 'leef', { facility: 10, hostname: 'h', appName: 'a' });
    // authpriv (10) * 8 + critical (2): deleting a realm.
    expect(message).toBe(`<82>1 2025-02-12T19:27:48.633Z h a - admin-event - ${outbound('leef', 'admin').payload}`);
  });
});
