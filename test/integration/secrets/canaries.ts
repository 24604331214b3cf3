import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * One canary: a distinct made-up secret in one secret place. Every canary starts with
 * `Cnry<NN>-`, so its first FRAGMENT_CHARS characters are unique to it and a copy cut short (an
 * echo cut at 4 KB, a log line cut at 200 characters) is still found.
 */
export interface Canary {
  /** Where it was put: `MPAS_PASSWORD`, `routes[splunk].siem.auth.token`, `admin event: credentials[].value`. */
  readonly place: string;
  readonly value: string;
}

/** Long enough to be unique (`Cnry07-sie`), short enough to survive a cut a few characters into the value. */
export const FRAGMENT_CHARS = 10;

/**
 * Canary values from a fixed seed, so a failing run names the same values the next time. `tail`
 * adds characters that URL and form encoding change (`+`, `/`, space, `%`, `=`, `&`): a secret
 * hidden only in its raw form then still shows in an echoed form body.
 */
export class CanarySet {
  private readonly all: Canary[] = [];
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  add(place: string, slug: string, options: { tail?: string } = {}): string {
    const number = String(this.all.length + 1).padStart(2, '0');
    const value = `Cnry${number}-${slug}-${this.nextHex()}${options.tail ?? ''}`;
    this.all.push({ place, value });
    return value;
  }

  /** A canary that is not a secret but personal data (an address), searched the same way. */
  addLiteral(place: string, value: string): string {
    this.all.push({ place, value });
    return value;
  }

  list(): readonly Canary[] {
    return this.all;
  }

  /** mulberry32: eight hexadecimal digits per call. */
  private nextHex(): string {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, '0');
  }
}

/** A text that was searched, and what it is: `stdout of run --once`, `state/acme.dead-letters.ndjson`. */
export interface Place {
  readonly name: string;
  readonly text: string;
}

/** One canary found in one place, in one of its forms. */
export interface Finding {
  readonly canary: Canary;
  readonly place: string;
  /** `raw`, `url-encoded`, `base64`, `fragment` ... */
  readonly form: string;
  /** The text around it, every canary form replaced by <CANARY>. */
  readonly snippet: string;
}

/** Every form a canary may take in an output, most specific first. */
export function formsOf(value: string): Array<{ form: string; text: string }> {
  const forms: Array<{ form: string; text: string }> = [{ form: 'raw', text: value }];
  const add = (form: string, text: string): void => {
    if (text.length >= FRAGMENT_CHARS && !forms.some((known) => known.text === text)) forms.push({ form, text });
  };
  add('url-encoded', encodeURIComponent(value));
  add('form-encoded', new URLSearchParams({ v: value }).toString().slice(2));
  add('json-escaped', JSON.stringify(value).slice(1, -1));
  for (const text of base64Fingerprints(value)) add('base64', text);
  // What is left of a copy cut short: its start, plain or base64-encoded (`Basic ` credentials).
  add('fragment', value.slice(0, FRAGMENT_CHARS));
  for (const text of base64Fingerprints(value.slice(0, FRAGMENT_CHARS))) add('base64 fragment', text);
  return forms;
}

/**
 * The base64 characters that encode only the canary's own bytes, at each of the three byte
 * alignments it can have inside a longer encoded text (`Basic base64(user:password)`), in
 * standard and URL-safe alphabets.
 */
function base64Fingerprints(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const prints: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift, 0x78), bytes]).toString('base64');
    const first = Math.ceil((shift * 8) / 6);
    const last = Math.floor(((shift + bytes.length) * 8) / 6);
    const print = encoded.slice(first, last);
    prints.push(print, print.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return prints;
}

/** Every (canary, place) where any form of a canary occurs. */
export function findCanaries(canaries: readonly Canary[], places: readonly Place[]): Finding[] {
  const findings: Finding[] = [];
  const allForms = canaries.flatMap((canary) => formsOf(canary.value).map(({ text }) => text)).sort((a, b) => b.length - a.length);
  for (const place of places) {
    for (const canary of canaries) {
      for (const { form, text } of formsOf(canary.value)) {
        const at = place.text.indexOf(text);
        if (at < 0) continue;
        findings.push({ canary, place: place.name, form, snippet: maskedSnippet(place.text, at, text.length, allForms) });
        break;
      }
    }
  }
  return findings;
}

/** About 60 characters either side, with every canary form in it replaced, on one line. */
function maskedSnippet(text: string, at: number, length: number, allForms: readonly string[]): string {
  let snippet = text.slice(Math.max(0, at - 60), at + length + 60);
  for (const form of allForms) snippet = snippet.split(form).join('<CANARY>');
  return snippet.replace(/\s+/g, ' ');
}

/** The failure message: one line per finding, each canary named by its place, never by its value. */
export function describeFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no canary found';
  const lines = findings.map((finding) => `- ${finding.canary.place} in ${finding.place} (${finding.form}): …${finding.snippet}…`);
  return `${findings.length} canary occurrence(s):\n${lines.join('\n')}`;
}

/**
 * Every file under `directory`, recursively, as places named by their path below `label`;
 * gzip files are searched inflated as well as raw.
 */
export function filesUnder(directory: string, label: string): Place[] {
  const places: Place[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const bytes = readFileSync(path);
        const name = `${label}/${relative(directory, path)}`;
        places.push({ name, text: bytes.toString('latin1') });
        if (bytes[0] === 0x1f && bytes[1] === 0x8b) places.push({ name: `${name} (inflated)`, text: gunzipSync(bytes).toString('latin1') });
      }
    }
  };
  walk(directory);
  return places;
}
