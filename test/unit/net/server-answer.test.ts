import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hideThenCut, readAnswerStart } from '../../../lib/net/server-answer.js';

const SEED = 181818;
// Letters the filler never holds: any of them in the result is a piece of the secret.
const SECRET = 'QZ8-canary-QZ8';

/** The body a collector echoing our token sends: filler, the token at `at`, more filler. */
function echo(at: number, length: number): string {
  return '.'.repeat(at) + SECRET + '.'.repeat(Math.max(0, length - at - SECRET.length));
}

const bodyOf = (text: string, chunkBytes: number): Readable => {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
  return Readable.from(chunks);
};

describe('hideThenCut', () => {
  it('leaves no piece of a secret, wherever it sits around the cut', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 40, max: 100 }), (at, maxChars) => {
        const { text } = hideThenCut(echo(at, 160), [SECRET], maxChars);
        expect(text, `secret at ${at}, cut at ${maxChars}: ${text}`).toMatch(/^[.*]*$/);
        expect(text.length).toBeLessThanOrEqual(maxChars);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('keeps a whole secret inside the cut as its mask, and drops the beginning of one at the end of a text read in part', () => {
    expect(hideThenCut(`..${SECRET}..`, [SECRET], 100).text).toBe('..***..');
    expect(hideThenCut(`..${SECRET.slice(0, 5)}`, [SECRET], 100, false)).toEqual({ text: '..', cut: true });
    expect(hideThenCut('..QZ8', ['QZ8'], 100, false).text).toBe('..***');
  });
});

describe('readAnswerStart', () => {
  it('hides a token that straddles the 4096-character cut of an error body, read in chunks of any size', async () => {
    for (const chunkBytes of [1000, 4096, 7]) {
      for (const at of [4090, 4096 - SECRET.length, 4083, 100]) {
        const text = await readAnswerStart(bodyOf(echo(at, 20_000), chunkBytes), 4096, [SECRET]);
        expect(text, `chunks of ${chunkBytes}, secret at ${at}`).toMatch(/^[.*]*$/);
        expect(text.length).toBeLessThanOrEqual(4096);
      }
    }
  });

  it('keeps a short answer whole, with the secret masked', async () => {
    await expect(readAnswerStart(bodyOf(`{"error":"bad token ${SECRET}"}`, 5), 4096, [SECRET])).resolves.toBe('{"error":"bad token ***"}');
  });
});
