import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { ElasticReceiverOptions, SiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';
import { startSiemReceiver } from '../../../devtools/siem-receiver/siem-receiver.js';

const API_KEY = 'a2V5LWlkOmtleS1zZWNyZXQ=';

let receiver: SiemReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(elastic: ElasticReceiverOptions = { apiKey: API_KEY }): Promise<SiemReceiver> {
  receiver = await startSiemReceiver({ elastic });
  return receiver;
}

async function bulk(body: string, headers: Record<string, string> = {}, path = '/_bulk') {
  const response = await request(`${receiver!.url}${path}`, {
    method: 'POST',
    // An empty value leaves the header out.
    headers: Object.fromEntries(Object.entries({ authorization: `ApiKey ${API_KEY}`, 'content-type': 'application/x-ndjson', ...headers }).filter(([, value]) => value !== '')),
    body,
  });
  return { status: response.statusCode, headers: response.headers, body: (await response.body.json()) as Record<string, unknown> };
}

const create = (index: string, id: string, document: unknown) => `${JSON.stringify({ create: { _index: index, _id: id } })}\n${JSON.stringify(document)}\n`;
const doc = (n: number) => ({ '@timestamp': '2025-02-12T19:27:48.633Z', n });

describe('SiemReceiver (Elasticsearch _bulk)', () => {
  it('stores created documents and answers every item, errors false', async () => {
    const es = await start();
    const answer = await bulk(create('logs-mpas-default', 'a', doc(1)) + create('logs-mpas-default', 'b', doc(2)));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      errors: false,
      items: [
        { create: { _index: 'logs-mpas-default', _id: 'a', status: 201, result: 'created' } },
        { create: { _index: 'logs-mpas-default', _id: 'b', status: 201, result: 'created' } },
      ],
    });
    expect(es.received().map((item) => [item.meta, item.json])).toEqual([
      [{ _index: 'logs-mpas-default', _id: 'a' }, doc(1)],
      [{ _index: 'logs-mpas-default', _id: 'b' }, doc(2)],
    ]);
  });

  it('answers 409 version_conflict_engine_exception for an _id that exists, item by item', async () => {
    const es = await start();
    await bulk(create('logs-mpas-default', 'a', doc(1)));
    const answer = await bulk(create('logs-mpas-default', 'a', doc(1)) + create('logs-mpas-default', 'c', doc(3)));
    expect(answer.body).toMatchObject({
      errors: true,
      items: [
        { create: { _id: 'a', status: 409, error: { type: 'version_conflict_engine_exception', reason: '[a]: version conflict, document already exists (current version [1])' } } },
        { create: { _id: 'c', status: 201 } },
      ],
    });
    expect(es.received()).toHaveLength(2);
  });

  it('holds data streams to create with @timestamp, and lets plain indices take index operations', async () => {
    const es = await start();
    const indexOp = `${JSON.stringify({ index: { _index: 'logs-mpas-default', _id: 'x' } })}\n${JSON.stringify(doc(1))}\n`;
    const answer = await bulk(indexOp + create('logs-mpas-default', 'y', { n: 2 }) + `${JSON.stringify({ index: { _index: 'plain' } })}\n{"n":3}\n`);
    expect(answer.body).toMatchObject({
      errors: true,
      items: [
        { index: { status: 400, error: { type: 'illegal_argument_exception', reason: 'only write ops with an op_type of create are allowed in data streams' } } },
        { create: { status: 400, error: { type: 'document_parsing_exception', reason: '[1:2] failed to parse: data stream timestamp field [@timestamp] is missing' } } },
        { index: { _index: 'plain', status: 201 } },
      ],
    });
    expect(es.received().map((item) => item.json)).toEqual([{ n: 3 }]);
  });

  it('takes the index from the path when the action names none', async () => {
    const es = await start();
    expect((await bulk(`{"create":{"_id":"p"}}\n{"n":1}\n`, {}, '/audit/_bulk')).status).toBe(200);
    expect(es.received()[0]!.meta).toEqual({ _index: 'audit', _id: 'p' });
  });

  it.each([
    ['no credentials', { authorization: '' }, 'missing authentication credentials for REST request [/_bulk]'],
    ['a wrong key', { authorization: 'ApiKey d3Jvbmc=' }, 'unable to authenticate with provided credentials and anonymous access is not allowed for this request'],
  ])('answers 401 security_exception to %s', async (_name, headers, reason) => {
    await start();
    const answer = await bulk(create('i', 'a', doc(1)), headers);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: { root_cause: [{ type: 'security_exception', reason }], type: 'security_exception', reason }, status: 401 });
    expect(answer.headers['www-authenticate']).toContain('ApiKey');
  });

  it('accepts basic credentials when configured', async () => {
    const es = await start({ basic: { username: 'u', password: 'p' } });
    expect((await bulk(create('i', 'a', doc(1)), { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` })).status).toBe(200);
    expect(es.received()).toHaveLength(1);
  });

  it.each([
    ['a body without the final newline', create('i', 'a', doc(1)).trimEnd(), 400, 'The bulk request must be terminated by a newline [\\n]'],
    ['an unknown action', `{"upsert":{"_index":"i"}}\n{}\n`, 400, 'Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [upsert]'],
    ['an action without an index', `{"create":{"_id":"a"}}\n{}\n`, 400, 'Validation Failed: 1: index is missing;'],
    ['an empty body', '\n', 400, 'Validation Failed: 1: no requests added;'],
  ])('refuses %s for the whole request', async (_name, body, status, reason) => {
    const es = await start();
    const answer = await bulk(body);
    expect(answer.status).toBe(status);
    expect((answer.body['error'] as { reason: string }).reason).toBe(reason);
    expect(es.received()).toEqual([]);
  });

  it('refuses a content type _bulk does not read with 406', async () => {
    await start();
    expect((await bulk(create('i', 'a', doc(1)), { 'content-type': 'text/plain' })).status).toBe(406);
  });

  it('fails only the items rejectItemsWhen chooses, with Elasticsearch error types', async () => {
    const es = await start();
    es.rejectItemsWhen((item) => (item.id === 'b' ? 429 : undefined));
    const answer = await bulk(create('logs-mpas-default', 'a', doc(1)) + create('logs-mpas-default', 'b', doc(2)));
    expect(answer.body).toMatchObject({ errors: true, items: [{ create: { status: 201 } }, { create: { status: 429, error: { type: 'es_rejected_execution_exception' } } }] });
    expect(es.received().map((item) => item.meta?.['_id'])).toEqual(['a']);
  });

  it('stores, then answers the failure of failNextAfterStoring', async () => {
    const es = await start();
    es.failNextAfterStoring({ count: 1, status: 504 });
    expect((await bulk(create('i', 'a', doc(1)))).status).toBe(504);
    expect(es.received()).toHaveLength(1);
    expect((await bulk(create('i', 'a', doc(1)))).body).toMatchObject({ items: [{ create: { status: 409 } }] });
  });
});
