import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { OCSF_VERSION } from '../../lib/core/formats/ocsf/ocsf-version.js';

/** The JSON Schemas scripts/ocsf-json-schemas.ts derived from the OCSF release the format declares. */
const SCHEMA_FOLDER = join(import.meta.dirname, '..', 'fixtures', 'ocsf', OCSF_VERSION);

interface SchemaSource {
  version: string;
  commit: string;
  classes: Record<string, string>;
}

/** Which release and commit the committed schemas came from, and their file per class uid. */
export const OCSF_SCHEMA_SOURCE = JSON.parse(readFileSync(join(SCHEMA_FOLDER, 'source.json'), 'utf8')) as SchemaSource;

// Strict, but a constraint's branch (`anyOf: [{ required: [name] }]`) names properties declared beside it, not in it.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const validators = new Map<number, ValidateFunction>();

/** The compiled validator of one OCSF class, compiled at its first use. */
export function ocsfValidator(classUid: number): ValidateFunction {
  let validate = validators.get(classUid);
  if (validate === undefined) {
    const file = OCSF_SCHEMA_SOURCE.classes[String(classUid)];
    if (file === undefined) throw new Error(`test/fixtures/ocsf/${OCSF_VERSION}: no schema of class ${classUid}`);
    validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_FOLDER, file), 'utf8')) as object);
    validators.set(classUid, validate);
  }
  return validate;
}

/** The schema's complaints about one OCSF event, empty when it is valid for its `class_uid`. */
export function ocsfProblems(ocsf: { class_uid: number } & Record<string, unknown>): string[] {
  const validate = ocsfValidator(ocsf.class_uid);
  if (validate(ocsf)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(event)'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
}
