import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import * as z from 'zod';
import { deploymentSchema, tenantFileSchema } from './deployment-schema.js';
import { settingsLostInEnvironment } from './environment-round-trip.js';
import type { DeploymentSettings } from './deployment-schema.js';
import { TenantConfigError } from './infra-errors.js';
import type { TenantProblem } from './infra-errors.js';
import { validateServiceSettings } from './service-settings.js';
import type { ServiceSettings } from './service-settings.js';

/** One tenant, ready to deploy: read once at the top of the app and passed down as props. */
export interface TenantDeployment {
  /** The tenant's name: its file's name, the `tenant` of its service settings. */
  readonly name: string;
  readonly deployment: DeploymentSettings;
  readonly service: ServiceSettings;
}

const TENANT_NAME = /^[a-z0-9-]{1,40}$/;

/** How problems name the directory of tenant files. */
const TENANTS_DIR_SETTING = 'tenantsDir (the -c tenantsDir=<path> context)';
const tenantsDirSchema = z.string().trim().min(1).optional();

/**
 * The directory of tenant files: the `tenantsDir` context (`-c tenantsDir=<path>`, relative to
 * `cwd`) or `defaultDirectory` when it is not given. A generated set of tenants (a shard, a
 * benchmark) is pointed at this way without touching infra/tenants/.
 */
export function tenantsDirectory(context: unknown, defaultDirectory: string, cwd = process.cwd()): string {
  const parsed = tenantsDirSchema.safeParse(context);
  if (!parsed.success) throw new TenantConfigError([{ setting: TENANTS_DIR_SETTING, message: 'must be the path of a directory of tenant files' }]);
  return parsed.data === undefined ? defaultDirectory : resolve(cwd, parsed.data);
}

/**
 * Validates one tenant file's content. `file` only names the file in problems. Throws a
 * {@link TenantConfigError} with every problem of the file.
 */
export function parseTenant(name: string, content: unknown, file = `${name}.json`): TenantDeployment {
  if (!TENANT_NAME.test(name)) {
    throw new TenantConfigError([{ file, setting: 'file name', message: 'must be 1 to 40 lowercase letters, digits or dashes, then .json' }]);
  }
  const problems: TenantProblem[] = [];
  const parsed = tenantFileSchema.safeParse(content);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const setting = [...issue.path, ...(key === undefined ? [] : [key])].map(String).join('.') || '(the file)';
        problems.push({ file, setting, message: key === undefined ? issue.message : 'is not a known setting' });
      }
    }
  }
  // The service section is checked even when the deployment section is wrong: one run, every problem.
  const serviceInput = parsed.success ? parsed.data.service : serviceOf(content);
  const service = serviceInput === undefined ? undefined : validateServiceSettings(serviceInput, name);
  problems.push(...(service?.problems ?? []).map((problem) => ({ ...problem, file })));
  if (service?.settings !== undefined) problems.push(...settingsLostInEnvironment(service.settings).map((problem) => ({ ...problem, file })));
  if (parsed.success && service?.settings !== undefined) {
    // A secret name for no route would be imported and granted for nothing: a typo of the route's name.
    const { routeAuthKinds } = service.settings;
    for (const route of Object.keys(parsed.data.deployment.secretNames?.routes ?? {})) {
      if (!routeAuthKinds.has(route)) {
        problems.push({ file, setting: `deployment.secretNames.routes.${route}`, message: 'names no route of service.routes whose siem.auth kind needs a secret' });
      }
    }
  }
  if (problems.length > 0 || !parsed.success || service?.settings === undefined) throw new TenantConfigError(problems);
  return { name, deployment: deploymentSchema.parse(parsed.data.deployment), service: service.settings };
}

/** Reads and validates `file` (named `<tenant>.json`). */
export function loadTenantFile(file: string, shownAs = file): TenantDeployment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new TenantConfigError([{ file: shownAs, setting: '(the file)', message: reason }], { cause: error });
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new TenantConfigError([{ file: shownAs, setting: '(the file)', message: 'is not valid JSON' }], { cause: error });
  }
  return parseTenant(basename(file, '.json'), content, shownAs);
}

/**
 * The tenants to deploy from `directory`: the one named by `selection`, or every `*.json`
 * file when it is `all` or undefined. Every problem of every file is reported at once.
 */
export function loadTenants(directory: string, selection: string | undefined, cwd = process.cwd()): TenantDeployment[] {
  const available = tenantNames(directory);
  const shown = (name: string) => relative(cwd, join(directory, `${name}.json`));
  if (selection !== undefined && selection !== 'all') {
    if (!available.includes(selection)) {
      throw new TenantConfigError([
        { setting: 'tenant (the -c tenant=<name> context)', message: `names no tenant file in ${relative(cwd, directory) || '.'}: choose one of ${available.join(', ') || '(none)'} or all` },
      ]);
    }
    return [loadTenantFile(join(directory, `${selection}.json`), shown(selection))];
  }
  const tenants: TenantDeployment[] = [];
  const problems: TenantProblem[] = [];
  for (const name of available) {
    try {
      tenants.push(loadTenantFile(join(directory, `${name}.json`), shown(name)));
    } catch (error) {
      if (!(error instanceof TenantConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new TenantConfigError(problems);
  if (tenants.length === 0) throw new TenantConfigError([{ setting: 'tenants', message: `no tenant file (<name>.json) in ${directory}` }]);
  return tenants;
}

function tenantNames(directory: string): string[] {
  let files: string[];
  try {
    files = readdirSync(directory);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not a readable directory';
    throw new TenantConfigError([{ setting: TENANTS_DIR_SETTING, message: `${directory} ${reason}` }], { cause: error });
  }
  return files
    .filter((file) => file.endsWith('.json'))
    .map((file) => basename(file, '.json'))
    .sort();
}

function serviceOf(content: unknown): Record<string, unknown> | undefined {
  if (typeof content !== 'object' || content === null) return undefined;
  const service = (content as Record<string, unknown>)['service'];
  return typeof service === 'object' && service !== null && !Array.isArray(service) ? (service as Record<string, unknown>) : undefined;
}
