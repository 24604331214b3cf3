import type { z } from 'zod';
import type { Sink } from './sink.js';

/**
 * One SIEM type: its configuration schema (every rule and default of its settings, checked once
 * when the configuration is loaded) and how a sink is built from a configuration it accepted.
 */
export interface SinkType<Type extends string, Schema extends z.ZodType<{ type: Type }>> {
  readonly type: Type;
  readonly schema: Schema;
  create(config: z.output<Schema>): Sink;
}

/** A SIEM type, for the list of them in sink-types.ts. */
export function defineSinkType<const Type extends string, Schema extends z.ZodType<{ type: Type }>>(
  type: Type,
  schema: Schema,
  create: (config: z.output<Schema>) => Sink,
): SinkType<Type, Schema> {
  return { type, schema, create };
}
