import { describe, expect, it } from 'vitest';
import { MpasRequestRejectedError } from '../../../../lib/sources/mpas/errors.js';
import { MpasClient } from '../../../../lib/sources/mpas/mpas-client.js';
import type { RequestInfo } from '../../../../lib/sources/mpas/http-transport.js';
import { ManualClock } from '../../../../lib/core/time/clock.js';
import { json, recordingSleep, scriptedFetch } from '../../../support/scripted-fetch.js';

// Neither a JWT nor a long run of letters and digits: only hiding by value removes it.
const ACCESS_TOKEN = 'canary-access-token-7f3a';
const PASSWORD = 'canary-pass-word-91';

/** An MPAS whose every endpoint answers an error that repeats what it was sent. */
function echoingMpas(events: (authorization: string) => Response) {
  const infos: RequestInfo[] = [];
  const { fetch } = scriptedFetch((request) => {
    if (request.url.pathname.endsWith('/token')) return json(200, { access_token: ACCESS_TOKEN, expires_in: 300 });
    return events(request.headers.get('authorization') ?? '');
  });
  const client = new MpasClient({
    baseUrl: 'http://mpas.test',
    authRealm: 'master',
    credentials: { grant: 'password', clientId: 'admin-cli', username: 'mpas-log-sync', password: PASSWORD },
    clock: new ManualClock(1_739_388_000_000),
    sleep: recordingSleep().sleep,
    random: () => 0.5,
    fetch,
    onRequest: (info) => infos.push(info),
  });
  return { client, infos };
}

describe('MPAS error answers that echo the access token', () => {
  it('never show it, in the error or in the attempt reported for the log, whatever shape the echo takes', async () => {
    const echoes: Array<(authorization: string) => Response> = [
      (authorization) => json(400, { errorMessage: `invalid request with ${authorization}` }),
      (authorization) => json(400, { error: `token ${authorization.replace('Bearer ', '')} is not accepted here` }),
      (authorization) => new Response(`${'x'.repeat(190)} ${authorization}`, { status: 400 }),
    ];
    for (const echo of echoes) {
      const { client, infos } = echoingMpas(echo);
      const error = await client.getEvents({ realm: 'acme', stream: 'user', first: 0, max: 1 }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(MpasRequestRejectedError);
      const shown = `${(error as Error).message}\n${JSON.stringify(infos)}`;
      expect(shown).not.toContain(ACCESS_TOKEN);
      expect(shown).not.toContain(ACCESS_TOKEN.slice(0, 12));
      expect(shown).not.toContain(PASSWORD);
    }
  });
});
