import type { z } from 'zod';
import type { ConfigProblem } from './config-error.js';

/**
 * Fetches a secret's text by ARN or name (Secrets Manager's `SecretString`). On Lambda,
 * Powertools' cached `getSecret`; in tests, a plain function.
 */
export type SecretProvider = (arn: string) => Promise<string | Uint8Array | undefined>;

/** Which secret {@link readSecret} reads, and how its problems are named. */
export interface SecretToRead<T> {
  /** The setting problems are reported under (`SIEM_SECRET_ARN`, `ROUTE_SECRET_ARNS.qradar`). */
  readonly setting: string;
  /** The secret's ARN or name. */
  readonly id: string;
  readonly schema: z.ZodType<T>;
  /** The accepted shapes in words, for the message when the secret has none of them. */
  readonly shapes: string;
}

/**
 * Reads one JSON secret and checks its shape. Every problem goes to `problems` (and the result
 * is undefined) so that several secrets are reported at once; no message ever holds the
 * secret's text, only its id.
 */
export async function readSecret<T>(secrets: SecretProvider, what: SecretToRead<T>, problems: ConfigProblem[]): Promise<T | undefined> {
  const { setting, id } = what;
  let text: string | Uint8Array | undefined;
  try {
    text = await secrets(id);
  } catch (error) {
    // The SDK's message names the ARN and the denial, never the secret's value.
    problems.push({ setting, message: `the secret ${id} cannot be read: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  }
  if (text === undefined) {
    problems.push({ setting, message: `the secret ${id} has no value` });
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof text === 'string' ? text : new TextDecoder().decode(text));
  } catch {
    // JSON.parse quotes the text it failed on: its message must not reach the error.
    problems.push({ setting, message: `the secret ${id} is not JSON` });
    return undefined;
  }
  const parsed = what.schema.safeParse(json);
  if (!parsed.success) {
    problems.push({ setting, message: `the secret ${id} must be a JSON object with ${what.shapes}` });
    return undefined;
  }
  return parsed.data;
}
