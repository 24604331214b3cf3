/**
 * The OCSF schema versions the mapping writes (`metadata.version`). The JSON Schemas the tests
 * validate against (test/fixtures/ocsf/<version>/) are generated from each release by
 * scripts/ocsf-json-schemas.ts; adding a version means generating them and holding the mapping to them.
 */
export const OCSF_VERSIONS = ['1.8.0', '1.3.0'] as const;

/** One OCSF version the mapping writes. */
export type OcsfVersion = (typeof OCSF_VERSIONS)[number];

/** What the `ocsf` format writes: the newest released 1.x of github.com/ocsf/ocsf-schema when the mapping was written. */
export const OCSF_VERSION: OcsfVersion = '1.8.0';

/** What Amazon Security Lake's custom sources take: OCSF 1.3.0 or earlier (docs/siems.md, "Amazon Security Lake"). */
export const SECURITY_LAKE_OCSF_VERSION: OcsfVersion = '1.3.0';
