import packageJson from '../package.json' with { type: 'json' };

/** The product version, from package.json: CEF headers and `--version` show it. */
export const VERSION: string = packageJson.version;
