import type { z } from 'zod';
import type { Sink } from './sink.js';

/**
 * One SIEM type: its configuration schema (every rule and default of its settings, checked once
 * when the configuration is loaded) and how a sink is built from a configuration it accepted.
 *
 * The pattern every type follows in its folder's config.ts: the schema is built there, eagerly
 * (loading the configuration needs it), and `create` reaches the sink's module through a dynamic
 * import, so that a process evaluates the code of the configured type only (esbuild keeps such an
 * import lazy inside one bundle: the Lambdas' cold start, bench/cold-start.bench.ts):
 *
 *     export const fooSinkType = defineSinkType('foo', fooSiemSchema, async (config) => {
 *       const { createFooSink } = await import('./foo-sink.js');
 *       return createFooSink({ ...sharedSinkOptions(config), ... });
 *     });
 *
 * config.ts imports nothing else from the sink's modules (a constant the schema needs as a
 * default lives in config.ts, and the sink imports it from there), and every rule of a setting
 * belongs to the schema: `create` runs at the first delivery, not when the configuration is loaded.
 */
export interface SinkType<Type extends string, Schema extends z.ZodType<{ type: Type }>> {
  readonly type: Type;
  readonly schema: Schema;
  /** Loads the type's sink module and builds its sink, named `type`. */
  create(config: z.output<Schema>): Promise<Sink>;
}

/** A SIEM type, for the list of them in sink-types.ts. */
export function defineSinkType<const Type extends string, Schema extends z.ZodType<{ type: Type }>>(
  type: Type,
  schema: Schema,
  create: (config: z.output<Schema>) => Promise<Sink>,
): SinkType<Type, Schema> {
  return { type, schema, create };
}
