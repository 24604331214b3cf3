import type { ConfigProblem } from './config-error.js';
import { ENV_VARS } from './env-var-table.js';
import type { EnvKind, EnvVarSpec } from './env-var-table.js';
import { parseJsonText } from './json-text.js';

/** The process environment, or a test's stand-in for it. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Which variable a config path's value came from, so a problem found after the merge is still
 * reported under the variable's name. `raw` is the variable's text, absent for secrets.
 */
export interface EnvSource {
  readonly name: string;
  readonly raw?: string;
}

/** What the environment says: a partial config in the file's nested shape, and where each part came from. */
export interface EnvSettings {
  readonly values: Record<string, unknown>;
  /** Dotted config path (`mpas.pageSize`, `siem.auth`) -> the variable that set it. */
  readonly sources: ReadonlyMap<string, EnvSource>;
  /** Problems only the text can show (a malformed header, two SIEM credentials, bad JSON). */
  readonly problems: readonly ConfigProblem[];
}

type Parsed = { readonly value: unknown } | { readonly problem: string };

/**
 * Reads every variable of the contract (env-var-table.ts) into the config's nested shape.
 * Text that cannot become the expected type is passed on as text, so the schema reports it
 * with the same words as a bad value in the file ("must be an integer from 1 to 5000").
 * An empty variable counts as unset (Docker Compose passes unset variables as empty), except
 * the redaction lists, where empty means "redact nothing". With `sections`, only the variables
 * of those top-level parts of the config are read (a Lambda's half: the poller reads no SIEM).
 */
export function readEnvSettings(env: Environment, sections?: ReadonlySet<string>): EnvSettings {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, EnvSource>();
  const problems: ConfigProblem[] = [];
  const setter: Setter = {
    set(path, value, source) {
      setAt(values, path.split('.'), value);
      sources.set(path, source);
    },
    note(path, source) {
      sources.set(path, source);
    },
  };
  const { set } = setter;

  const reads = (path: string): boolean => sections === undefined || sections.has(sectionOf(path));
  for (const spec of ENV_VARS) {
    const raw = env[spec.name];
    if (raw === undefined || spec.kind === 'siemAuth' || spec.kind === 'configFile' || !reads(spec.path)) continue;
    if (raw.trim() === '' && spec.kind !== 'redactList') continue;
    const parsed = parseText(spec.kind, raw);
    if ('problem' in parsed) problems.push({ setting: spec.name, message: parsed.problem });
    // A secret's text is not kept for quoting in an error, whichever way it is read.
    else set(spec.path, parsed.value, spec.secret === true ? { name: spec.name } : { name: spec.name, raw });
  }
  // The original service picks the password grant by the presence of a username.
  if (reads('mpas') && present(env['MPAS_USERNAME'])) set('mpas.credentials.grant', 'password', { name: 'MPAS_USERNAME' });
  if (reads('siem')) readSiemAuth(env, setter, problems);
  return { values, sources, problems };
}

/** The top-level part of the config a dotted path lies in (`mpas` of `mpas.pageSize`). */
function sectionOf(path: string): string {
  return path.split('.', 1)[0] ?? path;
}

/**
 * The inverse of {@link readEnvSettings}: the variables of `rows` that give back `config`'s
 * values, each written as its kind is read (lists comma-separated, JSON as JSON). The SIEM
 * credentials are written as the group they are read as (`SIEM_AUTH_HEADER: Name: value`).
 * Infra writes the Lambdas' environments with it (rows carried to the Lambdas).
 */
export function writeEnvSettings(config: unknown, rows: readonly EnvVarSpec[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const spec of rows) {
    if (spec.kind === 'configFile') continue;
    if (spec.kind === 'siemAuth') {
      const written = siemAuthText(spec, valueAt(config, 'siem.auth'));
      if (written !== undefined) environment[spec.name] = written;
      continue;
    }
    const value = valueAt(config, spec.path);
    if (value !== undefined) environment[spec.name] = asText(spec.kind, value);
  }
  return environment;
}

function asText(kind: EnvKind, value: unknown): string {
  switch (kind) {
    case 'json':
      return JSON.stringify(value);
    case 'list':
    case 'wordList':
    case 'redactList':
    case 'fields':
      return Array.isArray(value) ? value.join(',') : String(value);
    default:
      return String(value);
  }
}

/** One SIEM credential variable's text for `auth`, as readSiemAuth reads it back; undefined when `auth` has none for it. */
function siemAuthText(spec: EnvVarSpec, auth: unknown): string | undefined {
  if (typeof auth !== 'object' || auth === null) return undefined;
  const { kind, name, value } = auth as Record<string, unknown>;
  if (spec.name === 'SIEM_AUTH_HEADER') return kind === 'header' && typeof name === 'string' && typeof value === 'string' ? `${name}: ${value}` : undefined;
  const field = valueAt(auth, spec.path.slice('siem.auth.'.length));
  return typeof field === 'string' ? field : undefined;
}

/** The value at a dotted path, or undefined. */
export function valueAt(source: unknown, path: string): unknown {
  let current = source;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function parseText(kind: EnvKind, raw: string): Parsed {
  const text = raw.trim();
  switch (kind) {
    case 'secret':
      return { value: raw };
    case 'int':
      return { value: toInteger(text) ?? text };
    case 'boolean':
      return { value: toBoolean(text) ?? text };
    case 'word':
      return { value: text.toLowerCase() };
    case 'list':
      return { value: splitList(text) };
    case 'wordList':
      return { value: splitList(text.toLowerCase()) };
    case 'redactList':
      return { value: text === '' ? [] : splitList(text) };
    case 'startFrom':
      // Dates and epoch milliseconds stay text: the schema reads them as --from does (date-text.ts).
      return { value: text.toLowerCase() === 'now' ? 'now' : text };
    case 'fields':
      return { value: text === '*' ? '*' : splitList(text) };
    case 'json': {
      const result = parseJsonText(text);
      return result.ok ? { value: result.value } : { problem: `is not valid JSON: ${result.reason}` };
    }
    default:
      return { value: text };
  }
}

/** `set` puts a value at a path; `note` only records the source of a leaf inside a value already set. */
interface Setter {
  set(path: string, value: unknown, source: EnvSource): void;
  note(path: string, source: EnvSource): void;
}

/**
 * SIEM_TOKEN (bearer), SIEM_AUTH_HEADER (`Name: value`), SIEM_API_KEY (an Elasticsearch API
 * key), SIEM_CLIENT_SECRET (Sentinel's Entra ID app) and SIEM_USERNAME + SIEM_PASSWORD (basic) each replace the file's whole `siem.auth`;
 * setting more than one is a mistake, because which one wins would be a guess.
 */
function readSiemAuth(env: Environment, { set, note }: Setter, problems: ConfigProblem[]): void {
  const token = env['SIEM_TOKEN'];
  const header = env['SIEM_AUTH_HEADER'];
  const apiKey = env['SIEM_API_KEY'];
  const clientSecret = env['SIEM_CLIENT_SECRET'];
  const username = env['SIEM_USERNAME'];
  const password = env['SIEM_PASSWORD'];
  const basic = [present(username) ? 'SIEM_USERNAME' : '', present(password) ? 'SIEM_PASSWORD' : ''].filter(Boolean);
  const chosen = [present(token) ? ['SIEM_TOKEN'] : [], present(header) ? ['SIEM_AUTH_HEADER'] : [], present(apiKey) ? ['SIEM_API_KEY'] : [], present(clientSecret) ? ['SIEM_CLIENT_SECRET'] : [], basic].filter(
    (names) => names.length > 0,
  );
  if (chosen.length > 1) {
    problems.push({
      setting: chosen.flat().join(', '),
      message:
        'set only one SIEM authentication: SIEM_TOKEN (bearer), SIEM_AUTH_HEADER (a header), SIEM_API_KEY (an API key), SIEM_CLIENT_SECRET (an Entra ID client secret) or SIEM_USERNAME and SIEM_PASSWORD (basic)',
    });
    return;
  }
  if (present(token)) {
    set('siem.auth', { kind: 'bearer', token }, { name: 'SIEM_TOKEN' });
    note('siem.auth.token', { name: 'SIEM_TOKEN' });
  } else if (present(header)) {
    readAuthHeader(header, { set, note }, problems);
  } else if (present(apiKey)) {
    // Trimmed: a key is one word, and a pasted key often ends with a newline.
    set('siem.auth', { kind: 'apiKey', apiKey: apiKey.trim() }, { name: 'SIEM_API_KEY' });
    note('siem.auth.apiKey', { name: 'SIEM_API_KEY' });
  } else if (present(clientSecret)) {
    // As is, like every secret: Entra ID secrets may hold `~` and `.`, and a space would be the operator's.
    set('siem.auth', { kind: 'clientSecret', clientSecret }, { name: 'SIEM_CLIENT_SECRET' });
    note('siem.auth.clientSecret', { name: 'SIEM_CLIENT_SECRET' });
  } else if (present(username) !== present(password)) {
    const [given, missing] = present(username) ? ['SIEM_USERNAME', 'SIEM_PASSWORD'] : ['SIEM_PASSWORD', 'SIEM_USERNAME'];
    problems.push({ setting: given, message: `is set but ${missing} is not: basic authentication needs both` });
  } else if (present(username) && present(password)) {
    set('siem.auth', { kind: 'basic', username: username.trim(), password }, { name: 'SIEM_USERNAME and SIEM_PASSWORD' });
    note('siem.auth.username', { name: 'SIEM_USERNAME', raw: username });
    note('siem.auth.password', { name: 'SIEM_PASSWORD' });
  }
}

function readAuthHeader(header: string, { set, note }: Setter, problems: ConfigProblem[]): void {
  const colon = header.indexOf(':');
  const name = colon < 0 ? '' : header.slice(0, colon).trim();
  if (name === '') {
    // Without a colon the whole text may be the secret value: describe the format, never the text.
    problems.push({ setting: 'SIEM_AUTH_HEADER', message: 'must look like "Name: value", such as "X-Api-Key: <key>"' });
    return;
  }
  // HTTP strips the whitespace around a header value, so the value is trimmed as HTTP would.
  const value = header.slice(colon + 1).trim();
  set('siem.auth', { kind: 'header', name, value }, { name: 'SIEM_AUTH_HEADER' });
  note('siem.auth.name', { name: 'SIEM_AUTH_HEADER', raw: name });
  note('siem.auth.value', { name: 'SIEM_AUTH_HEADER' });
}

function present(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

function toInteger(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function toBoolean(text: string): boolean | undefined {
  const word = text.toLowerCase();
  if (word === 'true' || word === '1' || word === 'yes') return true;
  if (word === 'false' || word === '0' || word === 'no') return false;
  return undefined;
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim());
}

function setAt(target: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  const [head, ...rest] = keys;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const next = typeof child === 'object' && child !== null && !Array.isArray(child) ? (child as Record<string, unknown>) : {};
  target[head] = next;
  setAt(next, rest, value);
}
