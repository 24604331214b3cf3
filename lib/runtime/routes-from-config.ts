import { DEFAULT_ROUTE_NAME } from '../config/app-config-schema.js';
import type { ForwarderConfig, RouteConfig } from '../config/app-config-schema.js';
import { compileFilter } from '../core/pipeline/event-filter.js';
import { compileFieldSelection } from '../core/pipeline/field-selection.js';
import { redactionAtRest } from '../core/pipeline/redaction-at-rest.js';
import { createRedactor } from '../core/pipeline/redactor.js';
import type { Sink } from '../sinks/sink.js';
import type { ForwarderStages } from '../core/forwarder/forward-batch.js';
import type { ForwardObserver } from '../core/forwarder/forward-observer.js';
import { sinkFromConfig } from './sink-from-config.js';
import { formatterFromConfig } from './formatter-from-config.js';

/** One destination and its own pipeline. */
export interface Route {
  name: string;
  stages: ForwarderStages;
}

/** Two destinations share a name: their idempotency records and retries would mix. */
export class RouteConfigError extends Error {
  override readonly name = 'RouteConfigError';
  constructor(readonly route: string) {
    super(`routes: "${route}" is the name of the default route (siem); give this route another name or set defaultRoute to false`);
  }
}

/** Options of {@link routesFromConfig}. */
export interface RoutesFromConfigOptions {
  version: string;
  observer?: ForwardObserver;
  /** Sinks to use instead of the configured ones, by route name (tests). */
  sinks?: Readonly<Record<string, Sink>>;
}

/**
 * The destinations a configuration describes, built once at start-up: the route `default`
 * (`siem`, `filter`, `fields`, `redaction`: the single-SIEM settings of the original product)
 * unless `defaultRoute` is false, then every entry of `routes`, in order.
 */
export function routesFromConfig(config: ForwarderConfig, options: RoutesFromConfigOptions): Route[] {
  const described: RouteConfig[] = [];
  if (config.defaultRoute !== false) {
    described.push({ name: DEFAULT_ROUTE_NAME, siem: config.siem, redaction: config.redaction, filter: config.filter, fields: config.fields });
  }
  for (const route of config.routes ?? []) {
    if (route.name === DEFAULT_ROUTE_NAME && config.defaultRoute !== false) throw new RouteConfigError(route.name);
    described.push(route);
  }
  return described.map((route) => ({ name: route.name, stages: stagesOf(route, config, options) }));
}

function stagesOf(route: RouteConfig, config: ForwarderConfig, options: RoutesFromConfigOptions): ForwarderStages {
  const where = route.name === DEFAULT_ROUTE_NAME ? '' : `routes.${route.name}.`;
  const fields = route.fields ?? '*';
  return {
    redact: createRedactor(route.redaction ?? config.redaction),
    atRest: redactionAtRest(route.redaction ?? config.redaction),
    formatter: formatterFromConfig(route.siem, options.version),
    sink: options.sinks?.[route.name] ?? sinkFromConfig(route.siem),
    filter: route.filter ? compileFilter(route.filter, `${where}filter`) : undefined,
    selectFields: fields === '*' ? undefined : compileFieldSelection(fields, `${where}fields`),
    observer: options.observer,
  };
}
