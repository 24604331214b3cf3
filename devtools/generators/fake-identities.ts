import { createHash } from 'node:crypto';
import type { Random } from './random.js';

/** A made-up MPAS user: the personal data that user and admin events carry. */
export interface FakePerson {
  userId: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

// Accents and non-Latin letters on purpose: redaction and formats must survive them.
const FIRST_NAMES = [
  'Amélie', 'Noah', 'Léa', 'Liam', 'Chloé', 'Olivier', 'Zoë', 'Mohammed', 'Sofia', 'Søren',
  'Aisha', 'Lucas', 'Mei', 'Gabriel', 'Yuki', 'Isabelle', 'Mateo', 'Priya', 'Félix', 'Nadia',
  'Ethan', 'Ingrid', 'Kwame', 'Camille', 'Tomás', 'Hannah', 'Arjun', 'Élodie', 'Jonas', 'Fatima',
] as const;
const LAST_NAMES = [
  'Tremblay', 'Gagnon', 'Roy', 'Côté', 'Bouchard', 'Nguyen', 'Smith', 'García', 'Müller', 'Kowalski',
  'Okafor', 'Chen', 'Singh', 'Lefebvre', "O'Brien", 'Johansson', 'Tanaka', 'Rossi', 'Dubois', 'Haddad',
  'Bergeron', 'Lavoie', 'Fortin', 'Martin', 'Pelletier', 'Silva', 'Kim', 'Ivanova', 'Moreau', 'Ahmed',
] as const;
const EMAIL_DOMAINS = ['example.com', 'example.org', 'corp.example', 'mail.example.net'] as const;

/** Browser applications (authorization code flow). */
export const APP_CLIENT_IDS = ['account-console', 'portal', 'crm-web', 'grafana', 'helpdesk', 'intranet'] as const;
/** Confidential service clients (client credentials, token exchange). */
export const SERVICE_CLIENT_IDS = ['billing-service', 'reporting-job', 'provisioning-sync', 'api-gateway'] as const;

/** Lower-case ASCII for usernames and mailboxes, as most directories normalise them. */
function asciiSlug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/gi, 'o')
    .replace(/[^A-Za-z0-9]/g, '')
    .toLowerCase();
}

/** A new person with a fresh user id. */
export function fakePerson(random: Random): FakePerson {
  const firstName = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  const local = `${asciiSlug(firstName)}.${asciiSlug(lastName)}`;
  const suffix = random.chance(0.4) ? String(random.int(1, 99)) : '';
  return {
    userId: random.uuid(),
    username: random.chance(0.3) ? `${local}${suffix}@${random.pick(EMAIL_DOMAINS)}` : `${local}${suffix}`,
    email: `${local}${suffix}@${random.pick(EMAIL_DOMAINS)}`,
    firstName,
    lastName,
  };
}

/** A client address: mostly IPv4, a quarter IPv6 (full or `::`-compressed), as Keycloak logs them. */
export function fakeIpAddress(random: Random): string {
  if (random.chance(0.75)) {
    return `${random.int(1, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
  }
  const group = (): string => random.int(0, 0xffff).toString(16);
  const prefix = `${random.pick(['2001:db8', '2a02:c7f', '2600:1f18', 'fd00'])}:${group()}`;
  return random.chance(0.5)
    ? `${prefix}:${group()}:${group()}:${group()}:${group()}:${group()}`
    : `${prefix}::${group()}:${group()}`;
}

/** A plaintext password of the kind people type into admin consoles. */
export function fakePassword(random: Random): string {
  const words = ['Summer', 'Winter', 'Maple', 'Hockey', 'Poutine', 'Welcome', 'Passw0rd', 'Tiger', 'Ocean'];
  return random.chance(0.5)
    ? `${random.pick(words)}${random.int(1, 2030)}${random.pick(['!', '#', '$', '?', ''])}`
    : random.text(random.int(12, 20), 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!@#%&*');
}

/** A client secret as Keycloak generates them (32 alphanumerics). */
export function fakeClientSecret(random: Random): string {
  return random.text(32);
}

/**
 * A UUID derived from names (not random), so one realm or one client keeps the same id across
 * separately generated batches, as a real server's internal ids do.
 */
export function nameUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = '89ab'[parseInt(h[16] ?? '0', 16) & 3] as string;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The internal id of a realm, as events carry it in `realmId` (the original service's samples show UUIDs there). */
export function realmIdFor(realm: string): string {
  return nameUuid('realm', realm);
}
