import type { z } from 'zod';
import { datadogSinkType } from './datadog/config.js';
import { elasticSinkType } from './elastic/config.js';
import { eventBridgeSinkType } from './eventbridge/config.js';
import { firehoseSinkType } from './firehose/config.js';
import { httpsSinkType } from './https/config.js';
import { lazySink } from './lazy-sink.js';
import { securityLakeSinkType } from './security-lake/config.js';
import { sentinelSinkType } from './sentinel/config.js';
import type { Sink } from './sink.js';
import { splunkHecSinkType } from './splunk-hec/config.js';
import { sumoLogicSinkType } from './sumo-logic/config.js';
import { syslogSinkType } from './syslog/config.js';

/** Every SIEM type this build knows, one per folder of lib/sinks, in the order error messages list them. */
export const SINK_TYPES = [httpsSinkType, splunkHecSinkType, elasticSinkType, datadogSinkType, sumoLogicSinkType, sentinelSinkType, syslogSinkType, eventBridgeSinkType, firehoseSinkType, securityLakeSinkType] as const;

/** The configuration schema of each SIEM type, as a tuple for the `siem` union. */
export type SiemVariants = SchemasOf<typeof SINK_TYPES>;

// Generic, so that the mapped type keeps the tuple's shape.
type SchemasOf<Types extends readonly unknown[]> = { -readonly [K in keyof Types]: Types[K] extends { schema: infer Schema } ? Schema : never };

/** The schemas of SINK_TYPES, in its order. */
export const siemVariants = SINK_TYPES.map((sinkType) => sinkType.schema) as unknown as SiemVariants;

/** One SIEM destination's configuration, of any type. */
export type SiemTypeConfig = z.output<SiemVariants[number]>;

/**
 * The sink of a configuration its type's schema accepted, built at its first use (see lazySink):
 * its type's module is loaded then.
 */
export function createSinkFor(config: SiemTypeConfig): Sink {
  const sinkType = SINK_TYPES.find((candidate) => candidate.type === config.type);
  if (sinkType === undefined) throw new TypeError(`unknown SIEM type ${JSON.stringify(config.type)}`);
  // The type names its variant: the configuration is the one this type's schema produced.
  const create = sinkType.create as (config: SiemTypeConfig) => Promise<Sink>;
  return lazySink(sinkType.type, () => create(config));
}
