/** A response body read up to a byte limit: whole, or cut once it passed the limit. */
export type BoundedBody = { cut: false; bytes: Uint8Array } | { cut: true; bytes: Uint8Array; limitBytes: number };

const EMPTY = new Uint8Array(0);

/**
 * Reads `body` to its end unless it weighs more than `limitBytes`: then the read stops at the
 * first chunk past the limit and the stream is cancelled (undici then drops the connection), so
 * an endless or huge answer never holds more than the limit plus one chunk in memory. A
 * `content-length` above the limit is cut before a byte is read. What was read of a cut body is
 * dropped: a page is used whole or not at all.
 */
export async function readBoundedBody(body: AsyncIterable<Uint8Array> | null, contentLength: string | null, limitBytes: number): Promise<BoundedBody> {
  if (body === null) return { cut: false, bytes: EMPTY };
  const announced = contentLength === null ? Number.NaN : Number(contentLength);
  const iterator = body[Symbol.asyncIterator]();
  if (announced > limitBytes) {
    await iterator.return?.();
    return { cut: true, bytes: EMPTY, limitBytes };
  }
  // With a length announced, one buffer filled in place; else the chunks, joined once at the end.
  let whole = Number.isSafeInteger(announced) && announced >= 0 ? new Uint8Array(announced) : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = next.value;
    if (received + chunk.byteLength > limitBytes) {
      await iterator.return?.();
      return { cut: true, bytes: EMPTY, limitBytes };
    }
    if (whole !== undefined && received + chunk.byteLength <= whole.byteLength) {
      whole.set(chunk, received);
    } else {
      // More than announced (a proxy's mistake): the bytes as they come, in order.
      if (whole !== undefined) chunks.push(whole.subarray(0, received));
      whole = undefined;
      chunks.push(chunk);
    }
    received += chunk.byteLength;
  }
  if (whole !== undefined) return { cut: false, bytes: received === whole.byteLength ? whole : whole.subarray(0, received) };
  return { cut: false, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received) };
}
