import { archiveRecordsOf } from '../../lib/archive/archive-record.js';
import type { ArchiveRecord } from '../../lib/archive/archive-record.js';
import type { ArchiveQuery, ArchiveReader } from '../../lib/archive/archive-store.js';
import type { AdminEvent, UserEvent } from '../../lib/core/events/event-schemas.js';
import { createRedactor } from '../../lib/core/pipeline/redactor.js';
import { createRandom } from '../../devtools/generators/random.js';
import { adminEvent, batchOf, userEvent } from './route-fixtures.js';

/** The archive's redaction in these tests: the password-bearing representation only, so users and addresses stay reportable. */
export const reportRedaction = createRedactor({ mode: 'mask', userFields: [], adminFields: ['representation'] });

const USERS = ['user1', 'user2', 'alice'];
const ADDRESSES = ['127.0.0.1', '0:0:0:0:0:0:0:1', '203.0.113.9', '198.51.100.4'];
const CLIENTS = ['portal', 'some-id-client', 'admin-console'];
const TYPES = ['LOGIN', 'LOGIN_ERROR', 'LOGOUT', 'UPDATE_PASSWORD'];
const ADMIN = [['CREATE', 'USER'], ['DELETE', 'USER'], ['CREATE', 'REALM_ROLE_MAPPING'], ['CREATE', 'CLIENT'], ['UPDATE', 'REALM']] as const;

/**
 * A generated archive: `count` user events cycling through users, addresses, clients and types
 * (seeded, so every run has the same rows), and an admin event every fifth, one per 10 minutes
 * from `start`, as the forwarder would store them.
 */
export function generatedArchive(seed: number, count: number, start: number): ArchiveRecord[] {
  const random = createRandom(seed);
  const users: UserEvent[] = [];
  const admins: AdminEvent[] = [];
  for (let index = 0; index < count; index++) {
    const time = start + index * 600_000;
    const pick = <T>(items: readonly T[]): T => random.pick(items);
    users.push(
      userEvent(`u${index}`, pick(TYPES), time, {
        clientId: pick(CLIENTS),
        ipAddress: pick(ADDRESSES),
        details: { username: pick(USERS), auth_method: 'openid-connect' },
      }),
    );
    if (index % 5 === 0) {
      const [operation, resource] = pick(ADMIN);
      admins.push(adminEvent(`a${index}`, operation, resource, time + 1));
    }
  }
  return [...archiveRecordsOf(batchOf('user', users), reportRedaction), ...archiveRecordsOf(batchOf('admin', admins), reportRedaction)];
}

/** An {@link ArchiveReader} over records in memory, with the stores' window, order and limit. */
export function memoryReader(records: readonly ArchiveRecord[]): ArchiveReader & { queries: ArchiveQuery[] } {
  const queries: ArchiveQuery[] = [];
  return {
    queries,
    async read(query) {
      queries.push(query);
      const inWindow = records.filter((record) => (query.from === undefined || record.date >= query.from) && (query.to === undefined || record.date < query.to));
      const sorted = [...inWindow].sort((a, b) => (a.date === b.date ? a.key.localeCompare(b.key) : a.date < b.date ? -1 : 1));
      if (query.order === 'desc') sorted.reverse();
      return sorted.slice(0, query.limit);
    },
    async close() {},
  };
}
