import { z } from 'zod';

/** What a secret is replaced by wherever configuration or a server's answer is shown. */
export const SECRET_MASK = '***';

/**
 * The settings that hold secrets, marked where the schema declares them (`secret()` of
 * config-values.ts registers every one). Everything that prints or ships configuration reads
 * this mark through config-secrets.ts, so a new secret setting is one `secret()` in the schema.
 */
export const secretSettings = z.registry<{ readonly secret: true }>();
