import * as z from 'zod';
import { appConfigSchema } from './app-config-schema.js';
import { withRouteCopies } from './config-secrets.js';
import { ENV_VARS, inSecret } from './env-var-table.js';

/**
 * The config paths whose values a Secrets Manager secret gives the Lambdas, read from the table
 * of settings (env-var-table.ts): each row kept in a secret (a credential, or what goes beside
 * it) with the paths its text also fills, and their copies in the routes
 * (`routes.*.siem.auth.token`).
 */
export function pathsFilledBySecrets(): string[] {
  return withRouteCopies(ENV_VARS.filter(inSecret).flatMap((spec) => [spec.path, ...(spec.alsoFills ?? [])]));
}

/**
 * A copy of a configuration schema for settings given without their secrets: on AWS the tenant
 * file holds everything but what Secrets Manager gives the functions ({@link pathsFilledBySecrets}),
 * so infra validates it, and reads it back from the functions' environment, with this copy. Those
 * fields are not checked here, whether absent or present (infra refuses them in a tenant file
 * with its own words), nor a rule of their object about them (the key the `hash` mode needs):
 * the functions check them with the schema itself once the secret is read. Everything else is
 * checked as the schema checks it, with the same messages.
 *
 * The copy is typed as the schema: its output lacks the values the secrets give, which nothing
 * reading it may use.
 */
export function withoutSecrets<T extends z.ZodType>(schema: T): T {
  return pathsFilledBySecrets().reduce<z.core.$ZodType>((copy, path) => unchecked(copy, path.split('.')), schema) as T;
}

let appConfigWithoutSecrets: typeof appConfigSchema | undefined;

/**
 * {@link appConfigSchema} without the values Secrets Manager gives: a tenant file's service
 * settings. Copied at the first call, not when the module loads: the copy walks the whole schema,
 * which the Lambdas, which never use it, would pay at every cold start.
 */
export function appConfigWithoutSecretsSchema(): typeof appConfigSchema {
  return (appConfigWithoutSecrets ??= withoutSecrets(appConfigSchema));
}

type Def = z.core.$ZodTypeDef & Record<string, unknown>;

/**
 * `schema` with the field at `path` (`*` for a list's items) accepting anything, through every
 * object, union option, pipe and wrapper that leads there. Unchanged where no field lies at that
 * path (the poller's schema has no `siem`).
 */
function unchecked(schema: z.core.$ZodType, path: readonly string[]): z.core.$ZodType {
  const def = schema._zod.def as Def;
  const copy = (changes: Record<string, unknown>): z.core.$ZodType => z.clone(schema, { ...def, ...changes } as z.core.$ZodTypeDef);
  const [key, ...rest] = path;
  if (key === undefined) return schema;
  switch (def.type) {
    case 'object': {
      const { shape, checks } = def as z.core.$ZodObjectDef & Def;
      const field = shape[key];
      if (field === undefined) return schema;
      if (rest.length > 0) {
        const inner = unchecked(field, rest);
        return inner === field ? schema : copy({ shape: { ...shape, [key]: inner } });
      }
      return copy({ shape: { ...shape, [key]: z.unknown().optional() }, checks: checks?.filter((check) => !isRuleAbout(check, key)) });
    }
    case 'array': {
      const { element } = def as z.core.$ZodArrayDef & Def;
      if (key !== '*') return schema;
      const inner = unchecked(element, rest);
      return inner === element ? schema : copy({ element: inner });
    }
    case 'union': {
      const { options } = def as z.core.$ZodUnionDef & Def;
      const inner = options.map((option) => unchecked(option, path));
      return inner.every((option, index) => option === options[index]) ? schema : copy({ options: inner });
    }
    case 'pipe': {
      // A preprocess step or a transform is a pipe: the fields are on whichever side is an object.
      const { in: input, out: output } = def as z.core.$ZodPipeDef & Def;
      const [newInput, newOutput] = [unchecked(input, path), unchecked(output, path)];
      return newInput === input && newOutput === output ? schema : copy({ in: newInput, out: newOutput });
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly': {
      const innerType = def['innerType'] as z.core.$ZodType;
      const inner = unchecked(innerType, path);
      return inner === innerType ? schema : copy({ innerType: inner });
    }
    default:
      return schema;
  }
}

/** True for a refinement of an object that reports on its field `key` (`.refine(..., { path: [key] })`). */
function isRuleAbout(check: z.core.$ZodCheck, key: string): boolean {
  const def = check._zod.def as z.core.$ZodCheckDef & { readonly path?: readonly PropertyKey[] };
  return def.check === 'custom' && def.path?.[0] === key;
}
