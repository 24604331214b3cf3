import * as z from 'zod';
import { isPlainObject, unionErrorFor } from './config-values.js';
import { SINK_TYPES, siemVariants } from '../sinks/sink-types.js';

/** The shared settings of every SIEM type, for checks that tell them from a type's own block. */
export { siemAuthSchema, siemCommonShape } from '../sinks/siem-common-config.js';
export type { SiemAuth } from '../sinks/siem-common-config.js';

/** The SIEM types this build knows (lib/sinks/sink-types.ts), as the list the error message quotes. */
export const SIEM_TYPES = SINK_TYPES.map((sinkType) => sinkType.type);

/** `type` defaults to `https`, the only type the original product had. */
function defaultType(value: unknown): unknown {
  return isPlainObject(value) && value['type'] === undefined ? { ...value, type: 'https' } : value;
}

/** The SIEM destination: one variant per SIEM type, chosen by `type`. */
export const siemConfigSchema = z.preprocess(
  defaultType,
  // Each type's schema lives in its folder (lib/sinks/<type>/config.ts): its rules and defaults, checked once.
  z.discriminatedUnion('type', siemVariants, { error: unionErrorFor(`must be one of ${SIEM_TYPES.join(', ')}`) }),
);
export type SiemConfig = z.infer<typeof siemConfigSchema>;
