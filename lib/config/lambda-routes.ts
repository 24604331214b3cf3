import * as z from 'zod';
import { ConfigError } from './config-error.js';
import type { ConfigProblem } from './config-error.js';
import { isPlainObject } from './config-values.js';
import { readEnvSettings } from './env-settings.js';
import { parseJsonText } from './json-text.js';
import { SIEM_SECRET_SHAPES, siemSecretSchema, siemSecretVariables } from './siem-secret.js';
import type { LambdaSettings } from './lambda-settings.js';
import { readSecret } from './read-secret.js';
import type { SecretProvider } from './read-secret.js';

const routeSecretIdsSchema = z.record(z.string(), z.string().trim().min(1));

/**
 * The routes of a Lambda function: `ROUTES` (the config file's `routes` list as JSON text)
 * with each route's `siem.auth` replaced by its secret from `ROUTE_SECRET_ARNS` (the shapes of
 * the SIEM secret), before lib/config's schema checks anything, so the routes are validated
 * exactly as in a config file. Returns undefined without `ROUTES`; throws a
 * {@link ConfigError} listing every problem of both variables and of every route's secret.
 */
export async function routesFromEnvironment(settings: LambdaSettings, secrets: SecretProvider): Promise<unknown[] | undefined> {
  const problems: ConfigProblem[] = [];
  const routes = parseJson('ROUTES', settings.routes, problems);
  const ids = parseJson('ROUTE_SECRET_ARNS', settings.routeSecretArns, problems);
  if (routes !== undefined && !Array.isArray(routes)) {
    problems.push({ setting: 'ROUTES', message: 'must be a JSON list of routes ({"name", "siem", ...}), as routes in the config file' });
  }
  let secretIds: Record<string, string> = {};
  if (ids !== undefined) {
    const parsed = routeSecretIdsSchema.safeParse(ids);
    if (parsed.success) secretIds = parsed.data;
    else problems.push({ setting: 'ROUTE_SECRET_ARNS', message: 'must be a JSON object of route name to secret ARN or name: {"<route>": "<secret>"}' });
  }
  const list = Array.isArray(routes) ? routes : [];
  const named = new Map(list.filter(isPlainObject).map((route) => [route['name'], route] as const));
  for (const name of Object.keys(secretIds)) {
    if (!named.has(name)) problems.push({ setting: 'ROUTE_SECRET_ARNS', message: `"${name}" names no route of ROUTES` });
  }

  const auths = await Promise.all(
    // A secret of no route is not read: its name is the mistake, and it was reported above.
    Object.entries(secretIds).filter(([name]) => named.has(name)).map(async ([name, id]) => {
      const setting = `ROUTE_SECRET_ARNS.${name}`;
      const secret = await readSecret(secrets, { setting, id, schema: siemSecretSchema, shapes: SIEM_SECRET_SHAPES }, problems);
      if (secret === undefined) return undefined;
      // The same reading as SIEM_SECRET_ARN's variables, so an authHeader is split alike.
      const read = readEnvSettings(siemSecretVariables(secret));
      // Those messages describe the format and never quote the secret.
      problems.push(...read.problems.map((problem) => ({ setting, message: `the secret ${id}: ${problem.message}` })));
      const siem = read.values['siem'];
      return isPlainObject(siem) ? ([name, siem['auth']] as const) : undefined;
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  if (routes === undefined) return undefined;
  const authOf = new Map<unknown, unknown>(auths.filter((entry) => entry !== undefined));
  return list.map((route) => {
    if (!isPlainObject(route) || !authOf.has(route['name'])) return route;
    const siem = isPlainObject(route['siem']) ? route['siem'] : {};
    // The secret replaces the whole auth, as SIEM_SECRET_ARN does the file's `siem.auth`.
    return { ...route, siem: { ...siem, auth: authOf.get(route['name']) } };
  });
}

/**
 * The configuration's problems with those of `routes` renamed after ROUTES and their place in
 * it (`ROUTES[1].siem.url`), since the operator wrote that variable, not a config file.
 */
export function namedAfterRoutes(error: ConfigError): ConfigError {
  return new ConfigError(
    error.problems.map((problem) => {
      const match = /^routes(\[\d+\].*|\..*)?$/.exec(problem.setting);
      if (match === null) return problem;
      // The message is kept: a route's secrets are marked by the schema as the top-level ones are, and never quoted.
      return { setting: `ROUTES${match[1] ?? ''}`, message: problem.message };
    }),
    { cause: error },
  );
}

function parseJson(setting: string, text: string | undefined, problems: ConfigProblem[]): unknown {
  if (text === undefined) return undefined;
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed.value;
  problems.push({ setting, message: `is not valid JSON: ${parsed.reason}` });
  return undefined;
}
