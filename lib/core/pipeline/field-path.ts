/** Reads one field of a JSON-like value; `undefined` when any step of the path is missing. */
export type FieldReader = (value: unknown) => unknown;

/** The segments of a dotted path (`event.details.auth_method`), or why it is not one. */
export function splitFieldPath(path: string): { segments: string[] } | { problem: string } {
  if (path.length === 0) return { problem: 'empty field path' };
  if (/\s/.test(path)) return { problem: `field path "${path}" contains whitespace` };
  const segments = path.split('.');
  if (segments.some((segment) => segment.length === 0)) return { problem: `field path "${path}" has an empty segment` };
  return { segments };
}

function own(value: unknown, key: string): unknown {
  // Own properties only: a path such as "constructor" or "__proto__" must not reach the prototype.
  return value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/** A reader for already validated segments, specialised for the common short paths. */
export function compileFieldReader(segments: readonly string[]): FieldReader {
  const [first, second, third] = segments;
  switch (segments.length) {
    case 1:
      return (value) => own(value, first as string);
    case 2:
      return (value) => own(own(value, first as string), second as string);
    case 3:
      return (value) => own(own(own(value, first as string), second as string), third as string);
    default:
      return (value) => segments.reduce<unknown>((current, segment) => own(current, segment), value);
  }
}
