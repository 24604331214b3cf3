import type { BodyBufferPool } from '../body-buffer-pool.js';
import type { HttpBatchMode } from '../http-framing.js';
import type { SinkAuth } from '../http-auth.js';
import type { ProtocolSinkOptions } from '../protocol-sink-options.js';

export type { HttpBatchMode } from '../http-framing.js';

/** Settings of the generic HTTPS sink (Vector's shared `batch`, `request` and `encoding` blocks). */
export interface HttpsSinkOptions extends ProtocolSinkOptions {
  /** `single`: one event per POST; `array`: a JSON array; `ndjson`: payloads joined by `\n`. */
  batch: HttpBatchMode;
  auth: SinkAuth;
  /** Where request bodies are written. @default a pool of `concurrency` buffers of `maxBatchBytes` */
  bodyBuffers?: BodyBufferPool;
}
