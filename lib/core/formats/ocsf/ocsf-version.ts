/**
 * The OCSF schema version every `ocsf` event declares in `metadata.version`: the newest released
 * 1.x of github.com/ocsf/ocsf-schema when the mapping was written. The JSON Schemas the tests
 * validate against (test/fixtures/ocsf/<version>/) are generated from that release by
 * scripts/ocsf-json-schemas.ts; moving to another version means regenerating them with it.
 */
export const OCSF_VERSION = '1.8.0';
