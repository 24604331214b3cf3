import { hideSecrets, longestFirst } from './secret-texts.js';
import { hideTokenLike } from './token-like.js';

/** Longest body excerpt kept in a reason: enough to read a server's error, short for metrics. */
export const EXCERPT_CHARS = 200;

/** Shortens a body to a one-line excerpt, token-like values hidden (see `hideTokenLike`). */
export function excerpt(body: string): string {
  const line = hideTokenLike(body.replace(/\s+/g, ' ').trim());
  return line.length > EXCERPT_CHARS ? line.slice(0, EXCERPT_CHARS) + '...' : line;
}

/**
 * Hides every value of `secrets` in `text`, then keeps at most `maxChars` characters of it. A
 * secret the cut would split is cut off whole (the cut moves to its start), so no part of it
 * survives: hiding after cutting would leave the half before the cut. `complete` says whether
 * `text` is all the server sent; when it is not, its end is a cut too, and a secret's beginning
 * found there is dropped as well.
 */
export function hideThenCut(text: string, secrets: readonly string[], maxChars: number, complete = true): { text: string; cut: boolean } {
  const present = secrets.filter((secret) => secret.length > 0);
  let end = Math.min(maxChars, text.length);
  if (!complete && end === text.length) end = beforeTrailingPrefix(text, present);
  // A move can land inside another (overlapping) secret: repeated until no secret spans the cut.
  for (let moved = true; moved && end < text.length; ) {
    moved = false;
    for (const secret of present) {
      const start = startSpanning(text, secret, end);
      if (start !== undefined) {
        end = start;
        moved = true;
      }
    }
  }
  return { text: hideSecrets(text.slice(0, end), longestFirst(present)), cut: end < text.length || !complete };
}

/** Where an occurrence of `secret` that starts before `cut` and ends after it starts, if any. */
function startSpanning(text: string, secret: string, cut: number): number | undefined {
  for (let from = Math.max(0, cut - secret.length + 1); from < cut; ) {
    const at = text.indexOf(secret, from);
    if (at < 0 || at >= cut) return undefined;
    if (at + secret.length > cut) return at;
    from = at + 1;
  }
  return undefined;
}

/** The length of `text` without a trailing beginning of a secret (the rest of it was not read). */
function beforeTrailingPrefix(text: string, secrets: readonly string[]): number {
  let end = text.length;
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, text.length); length > 0; length -= 1) {
      if (text.endsWith(secret.slice(0, length))) {
        end = Math.min(end, text.length - length);
        break;
      }
    }
  }
  return end;
}

/**
 * Reads the start of an error body: up to `maxChars` characters, the secrets we sent hidden
 * before the cut (see {@link hideThenCut}); the rest is read and discarded so the connection
 * can be reused. Enough beyond `maxChars` is read to see a secret starting before the cut whole.
 */
export async function readAnswerStart(body: AsyncIterable<Uint8Array>, maxChars: number, secrets: readonly string[]): Promise<string> {
  // A character is at most 4 bytes of UTF-8: this many bytes always hold maxChars characters and one more secret.
  const longest = Math.max(0, ...secrets.map((secret) => Buffer.byteLength(secret)));
  const keepBytes = 4 * maxChars + longest;
  const chunks: Buffer[] = [];
  let size = 0;
  let total = 0;
  for await (const chunk of body) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += bytes.length;
    if (size < keepBytes) {
      chunks.push(bytes);
      size += bytes.length;
    }
  }
  const kept = Buffer.concat(chunks).subarray(0, keepBytes);
  return hideThenCut(kept.toString('utf8'), secrets, maxChars, total <= keepBytes).text;
}
