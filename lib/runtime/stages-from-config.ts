import type { AppConfig } from '../config/app-config-schema.js';
import type { Formatter } from '../core/formats/formatter.js';
import { compileFilter } from '../core/pipeline/event-filter.js';
import { compileFieldSelection } from '../core/pipeline/field-selection.js';
import { redactionAtRest } from '../core/pipeline/redaction-at-rest.js';
import { createRedactor } from '../core/pipeline/redactor.js';
import type { Sink } from '../sinks/sink.js';
import type { ForwarderStages } from '../core/forwarder/forward-batch.js';
import type { ForwardObserver } from '../core/forwarder/forward-observer.js';
import { formatterFromConfig } from './formatter-from-config.js';
import { sinkFromConfig } from './sink-from-config.js';

/** The forwarder pipeline that a configuration describes, built once at start-up. */
export function forwarderStagesFromConfig(
  config: AppConfig,
  options: { version: string; observer?: ForwardObserver; sink?: Sink },
): ForwarderStages {
  const formatter: Formatter = formatterFromConfig(config.siem, options.version);
  const sink =
    options.sink ?? sinkFromConfig(config.siem);
  return {
    redact: createRedactor(config.redaction),
    atRest: redactionAtRest(config.redaction),
    formatter,
    sink,
    filter: config.filter ? compileFilter(config.filter) : undefined,
    selectFields: config.fields === '*' ? undefined : compileFieldSelection(config.fields),
    observer: options.observer,
  };
}
