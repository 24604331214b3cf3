import * as z from 'zod';

/** What a secret is replaced by wherever configuration or a server's answer is shown. */
export const SECRET_MASK = '***';

/**
 * The schema's own mark on every value it declares with `secret()` (config-values.ts). What is
 * secret is said by the table of settings (env-var-table.ts, read through config-secrets.ts);
 * this mark lets a test hold the schema and the table to the same list.
 */
export const secretSettings = z.registry<{ readonly secret: true }>();
