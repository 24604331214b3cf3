import * as z from 'zod';

/** The SIEM secret's shapes, also those of each route's secret (ROUTE_SECRET_ARNS). */
export const siemSecretSchema = z.union([
  z.strictObject({ token: z.string().min(1) }),
  z.strictObject({ authHeader: z.string().min(1) }),
  // Elasticsearch and Datadog API keys (SIEM_API_KEY).
  z.strictObject({ apiKey: z.string().min(1) }),
  // Sentinel's Entra ID app registration (SIEM_CLIENT_SECRET).
  z.strictObject({ clientSecret: z.string().min(1) }),
  z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
]);


/** {@link siemSecretSchema} in words. */
export const SIEM_SECRET_SHAPES = '"token", "authHeader" ("Name: value"), "apiKey", "clientSecret", or "username" and "password", and no other keys';

/** The SIEM_* variables that stand for one SIEM secret, as env-settings.ts reads them. */
export function siemSecretVariables(siem: z.infer<typeof siemSecretSchema>): Record<string, string> {
  if ('token' in siem) return { SIEM_TOKEN: siem.token };
  if ('authHeader' in siem) return { SIEM_AUTH_HEADER: siem.authHeader };
  if ('apiKey' in siem) return { SIEM_API_KEY: siem.apiKey };
  if ('clientSecret' in siem) return { SIEM_CLIENT_SECRET: siem.clientSecret };
  return { SIEM_USERNAME: siem.username, SIEM_PASSWORD: siem.password };
}
