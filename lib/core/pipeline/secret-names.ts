/**
 * Which member names hold a secret in what Keycloak (MPAS) writes into its events, built from
 * Keycloak's own representation classes: docs/secrets-in-events.md lists every place, with the
 * source of each. Names are compared normalised (lower case; `_`, `-`, `.`, `:` and white space
 * dropped), so `saml.signing.private.key`, `SAML_SIGNING_PRIVATE_KEY` and `samlSigningPrivateKey`
 * are one name.
 */

/** What a member's name says about its value. */
export type NameClass =
  /** Every string in the value is a secret (a string, or the lists of a config map). */
  | 'secret'
  /** A list or object of credentials: bare strings in it are secrets, and so is each `value`. */
  | 'credentials'
  | 'plain';

/**
 * A name ending in one of these holds a secret: `password`, `keystorePassword`, `bindCredential`,
 * `clientSecret`, `authTokenClientSecret`, `saml.encryption.private.key`, `registrationAccessToken`.
 * A name only containing one is judged by what follows it (VALUE_TAILS), so `passwordPolicy`,
 * `tokenLifespan`, `secretSize` and `client.secret.creation.time` stay readable.
 */
const SECRET_ENDINGS = [
  'password', 'passwd', 'pwd', 'passphrase', 'storepass', 'keypass',
  'secret', 'privatekey', 'secretkey', 'apikey', 'token', 'credential',
  'authorization', 'cookie', 'keystore', 'clientassertion',
] as const;

/** Whole names that hold a secret without ending in one of the words above. */
const SECRET_NAMES = new Set([
  'pass',
  // CredentialRepresentation (before Keycloak 10: hashedSaltedValue, salt; since: secretData, credentialData).
  'salt', 'hashedsaltedvalue',
  // A one-time code typed by a user.
  'otp', 'totp', 'hotp',
]);

/**
 * What may follow a secret word inside a name that still names the secret itself:
 * `secretData`, `passwordHash`, `privateKeyPem`, `client.secret.rotated`, `newPasswordConfirm`.
 */
const VALUE_TAILS = new Set([
  'data', 'value', 'values', 'hash', 'hashed', 'pem', 'der', 'base64', 'b64', 'hex', 'bytes', 'jwk',
  'encoded', 'encrypted', 'enc', 'plain', 'plaintext', 'cleartext', 'raw', 'text', 'string',
  'confirm', 'confirmation', 'repeat', 'again', 'new', 'old', 'current', 'rotated',
]);
const SECRET_WORDS = ['password', 'passwd', 'passphrase', 'secret', 'privatekey', 'secretkey', 'apikey', 'token', 'credential'] as const;

/**
 * Names that end in a secret word and hold none: `client_credentials.use_refresh_token` is a
 * client attribute whose value is "true" or "false" (seen in exported Keycloak clients).
 */
const NOT_SECRET_NAMES = new Set(['clientcredentialsuserefreshtoken']);

/** Names of a list (or object) of CredentialRepresentation: UserRepresentation.credentials. */
const CREDENTIALS_NAMES = new Set(['credentials', 'credential', 'usercredentials']);

/** Query and form parameters that carry a secret besides the names above: OAuth's authorization `code`. */
const SECRET_PARAMETERS = new Set(['code']);

/**
 * Members of an object that name what its `value` is: `{"name": "password", "value": ...}`,
 * `{"key": "secret", "value": ...}`, and CredentialRepresentation's `{"type": "password", "value": ...}`.
 */
const PAIR_NAME_MEMBERS = new Set(['name', 'key', 'type', 'parameter', 'param', 'header', 'field', 'attribute']);
/** The members holding the value of such a pair. */
const PAIR_VALUE_MEMBERS = new Set(['value', 'values']);

const NORMALISE = /[\s_.:-]/g;

/** A name as compared here: `Client-Secret`, `client_secret` and `client.secret` are `clientsecret`. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(NORMALISE, '');
}

/** What a member's name says: its class, and whether it names (or holds) the value of a name/value pair. */
export interface MemberName {
  readonly nameClass: NameClass;
  readonly pairName: boolean;
  readonly pairValue: boolean;
}

// Events repeat the same few hundred member names; a bounded cache keeps the hot path to one lookup.
const CACHE_LIMIT = 4096;
const cache = new Map<string, MemberName>();

/** What a member named `name` is (see MemberName). */
export function memberName(name: string): MemberName {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const normalised = normaliseName(name);
  const result: MemberName = {
    nameClass: classifyNormalised(normalised),
    pairName: PAIR_NAME_MEMBERS.has(normalised),
    pairValue: PAIR_VALUE_MEMBERS.has(normalised),
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(name, result);
  return result;
}

/** What a member named `name` holds (see NameClass). */
export function classifyName(name: string): NameClass {
  return memberName(name).nameClass;
}

/** Whether a query or form parameter named `name` (already URL-decoded) carries a secret. */
export function isSecretParameter(name: string): boolean {
  const normalised = normaliseName(name);
  return SECRET_PARAMETERS.has(normalised) || classifyNormalised(normalised) !== 'plain';
}

function classifyNormalised(name: string): NameClass {
  if (name.length === 0 || NOT_SECRET_NAMES.has(name)) return 'plain';
  if (CREDENTIALS_NAMES.has(name)) return 'credentials';
  if (SECRET_NAMES.has(name)) return 'secret';
  for (const ending of SECRET_ENDINGS) if (name.endsWith(ending)) return 'secret';
  for (const word of SECRET_WORDS) {
    const at = name.indexOf(word);
    if (at < 0) continue;
    const tail = name.slice(at + word.length).replace(/\d+$/, '');
    if (tail.length === 0 || VALUE_TAILS.has(tail)) return 'secret';
  }
  return 'plain';
}
