import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { OCSF_VERSION } from '../../lib/core/formats/ocsf/ocsf-version.js';
import type { OcsfVersion } from '../../lib/core/formats/ocsf/ocsf-version.js';

/** The JSON Schemas scripts/ocsf-json-schemas.ts derived from an OCSF release the format writes. */
function schemaFolder(version: OcsfVersion): string {
  return join(import.meta.dirname, '..', 'fixtures', 'ocsf', version);
}

interface SchemaSource {
  version: string;
  commit: string;
  classes: Record<string, string>;
}

/** Which release and commit the committed schemas of a version came from, and their file per class uid. */
export function ocsfSchemaSource(version: OcsfVersion): SchemaSource {
  return JSON.parse(readFileSync(join(schemaFolder(version), 'source.json'), 'utf8')) as SchemaSource;
}

/** The source of the schemas of the version the `ocsf` format declares. */
export const OCSF_SCHEMA_SOURCE = ocsfSchemaSource(OCSF_VERSION);

// Strict, but a constraint's branch (`anyOf: [{ required: [name] }]`) names properties declared beside it, not in it.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const validators = new Map<string, ValidateFunction>();

/** The compiled validator of one OCSF class of a version, compiled at its first use. */
export function ocsfValidator(classUid: number, version: OcsfVersion = OCSF_VERSION): ValidateFunction {
  const key = `${version}/${classUid}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    const file = ocsfSchemaSource(version).classes[String(classUid)];
    if (file === undefined) throw new Error(`test/fixtures/ocsf/${version}: no schema of class ${classUid}`);
    validate = ajv.compile(JSON.parse(readFileSync(join(schemaFolder(version), file), 'utf8')) as object);
    validators.set(key, validate);
  }
  return validate;
}

/** The schema's complaints about one OCSF event, empty when it is valid for its `class_uid` in `version`. */
export function ocsfProblems(ocsf: { class_uid: number } & Record<string, unknown>, version: OcsfVersion = OCSF_VERSION): string[] {
  const validate = ocsfValidator(ocsf.class_uid, version);
  if (validate(ocsf)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(event)'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)}`);
}
