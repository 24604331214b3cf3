import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SyslogTlsReceiver } from '../../../devtools/siem-receiver/syslog-tls-receiver.js';
import { startSyslogTlsReceiver } from '../../../devtools/siem-receiver/syslog-tls-receiver.js';
import { selfSignedCertificate } from '../../support/self-signed-certificate.js';

let dir: string;
let tls: { key: string; cert: string };
let receiver: SyslogTlsReceiver | undefined;
const sockets: TLSSocket[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'syslog-receiver-'));
  tls = selfSignedCertificate(dir, 'syslog receiver test');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await receiver?.close();
  receiver = undefined;
});

async function client(port: number): Promise<TLSSocket> {
  const socket = connect({ host: '127.0.0.1', port, ca: [tls.cert] });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

const frame = (message: string) => `${Buffer.byteLength(message)} ${message}`;

describe('SyslogTlsReceiver', () => {
  it('parses octet-counted RFC 5424 messages split anywhere across TLS writes', async () => {
    receiver = await startSyslogTlsReceiver({ tls });
    const socket = await client(receiver.port);
    const stream = frame('<86>1 2025-02-12T19:27:48.633Z h app - user-event - CEF:0|V|P|1|s|n|3|msg=a b') + frame('<84>1 2025-02-12T19:27:48.634Z h app 12 admin-event [x@1 a="b"] {"é":1}');
    for (const piece of [stream.slice(0, 1), stream.slice(1, 30), stream.slice(30)]) socket.write(piece);
    const records = await receiver.waitFor((items) => items.length === 2);
    expect(records.map(({ facility, severity, procId, msgId, structuredData, format, msg }) => ({ facility, severity, procId, msgId, structuredData, format, msg }))).toEqual([
      { facility: 10, severity: 6, procId: '-', msgId: 'user-event', structuredData: '-', format: 'cef', msg: 'CEF:0|V|P|1|s|n|3|msg=a b' },
      { facility: 10, severity: 4, procId: '12', msgId: 'admin-event', structuredData: '[x@1 a="b"]', format: 'json', msg: '{"é":1}' },
    ]);
    expect(records[1]!.json).toEqual({ é: 1 });
  });

  it('closes a connection on a frame that is not octet-counted syslog', async () => {
    receiver = await startSyslogTlsReceiver({ tls });
    const socket = await client(receiver.port);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('<86>1 - - - - - - newline framing\n');
    await closed;
    expect(receiver.stats()).toEqual({ connections: 1, drops: 0, framingErrors: 1 });
    expect(receiver.received()).toEqual([]);
  });

  it('drops connections after the planned numbers of messages', async () => {
    receiver = await startSyslogTlsReceiver({ tls });
    receiver.dropConnectionsAfter([2, 1]);
    const first = await client(receiver.port);
    const closed = new Promise((resolve) => first.once('close', resolve));
    first.write(['a', 'b', 'c'].map((text) => frame(`<86>1 - - - - - - {"m":"${text}"}`)).join(''));
    await closed;
    const second = await client(receiver.port);
    second.write(frame('<86>1 - - - - - - {"m":"d"}'));
    await receiver.waitFor((items) => items.length === 3);
    expect(receiver.received().map((record) => [record.connection, record.msg])).toEqual([[1, '{"m":"a"}'], [1, '{"m":"b"}'], [2, '{"m":"d"}']]);
    expect(receiver.stats()).toMatchObject({ connections: 2, drops: 2 });
  });
});
