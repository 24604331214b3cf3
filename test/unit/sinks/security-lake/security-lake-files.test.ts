import { describe, expect, it } from 'vitest';
import type { ClassColumns } from '../../../../lib/sinks/security-lake/ocsf-columns.js';
import { planLakeFiles } from '../../../../lib/sinks/security-lake/security-lake-files.js';
import type { OutboundEvent } from '../../../../lib/sinks/sink.js';

const LOCATION = { bucket: 'lake', region: 'eu-west-1', accountId: '123456789012' };
const COLUMNS: ClassColumns = { class_uid: { kind: 'long' }, time: { kind: 'long' }, message: { kind: 'string' } };
const PLANNING = {
  location: LOCATION,
  sources: new Map([[3002, 'mpas-authentication'], [3001, 'mpas-account-change'], [6003, 'mpas-api-activity']]),
  columnsOf: (classUid: number) => (classUid === 6003 ? undefined : COLUMNS),
};
const DAY_1 = Date.parse('2025-03-04T23:59:59.000Z');
const DAY_2 = Date.parse('2025-03-05T00:00:01.000Z');

function event(key: string, time: number, record: unknown): OutboundEvent {
  return { key, time, realm: 'acme', stream: 'user', payload: typeof record === 'string' ? record : JSON.stringify(record) };
}

describe('the files of a delivery', () => {
  it('makes one file per class and day, its events ordered by time then key, for its source', () => {
    const events = [
      event('c', DAY_1 + 2, { class_uid: 3002, time: DAY_1 + 2, message: 'third' }),
      event('x', DAY_2, { class_uid: 3002, time: DAY_2, message: 'next day' }),
      event('a', DAY_1, { class_uid: 3002, time: DAY_1, message: 'first' }),
      event('p', DAY_1, { class_uid: 3001, time: DAY_1, message: 'password' }),
      event('b', DAY_1, { class_uid: 3002, time: DAY_1, message: 'same ms, key b' }),
    ];
    const plan = planLakeFiles(events, PLANNING);
    expect(plan.dropped).toEqual([]);
    expect(plan.files.map(({ sourceName, classUid, eventDay, indices }) => ({ sourceName, classUid, eventDay, indices }))).toEqual([
      { sourceName: 'mpas-authentication', classUid: 3002, eventDay: '20250304', indices: [2, 4, 0] },
      { sourceName: 'mpas-authentication', classUid: 3002, eventDay: '20250305', indices: [1] },
      { sourceName: 'mpas-account-change', classUid: 3001, eventDay: '20250304', indices: [3] },
    ]);
    for (const { hash } of plan.files) expect(hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('names the same file for the same events in any order, as a retry of the batch sends them', () => {
    const events = [event('a', DAY_1, { class_uid: 3002, time: DAY_1 }), event('b', DAY_1 + 1, { class_uid: 3002, time: DAY_1 + 1 })];
    expect(planLakeFiles([...events].reverse(), PLANNING).files[0]!.hash).toBe(planLakeFiles(events, PLANNING).files[0]!.hash);
  });

  it('drops an event it cannot store, saying why, and plans the others', () => {
    const events = [
      event('1', DAY_1, 'CEF:0|Keycloak|...'),
      event('2', DAY_1, [1, 2]),
      event('3', DAY_1, { time: DAY_1 }),
      event('4', DAY_1, { class_uid: 4001, time: DAY_1 }),
      event('5', DAY_1, { class_uid: 6003, time: DAY_1 }),
      event('6', DAY_1, { class_uid: 3002, time: DAY_1, user: { name: 'alice' } }),
      event('7', DAY_1, { class_uid: 3002, time: DAY_1 }),
    ];
    const plan = planLakeFiles(events, PLANNING);
    expect(plan.dropped).toEqual([
      { index: 0, reason: 'the payload is not JSON: the security-lake type takes the ocsf format only' },
      { index: 1, reason: 'the payload is not a JSON object: the security-lake type takes the ocsf format only' },
      { index: 2, reason: 'the payload has no integer class_uid: the security-lake type takes the ocsf format only' },
      { index: 3, reason: 'OCSF class 4001 has no custom source: add it to SECURITY_LAKE_SOURCES (siem.securityLake.sources)' },
      { index: 4, reason: 'OCSF class 6003: this version has no Parquet schema of it' },
      { index: 5, reason: 'OCSF class 3002: user: not an attribute of the class schema' },
    ]);
    expect(plan.files.map(({ indices }) => indices)).toEqual([[6]]);
  });
});
