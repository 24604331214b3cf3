/**
 * Serialises a value for an SQS message body. JSON.stringify already escapes control characters
 * and lone surrogates; SQS also refuses U+FFFE and U+FFFF, which JSON may carry raw, so those are
 * escaped too (they can only occur inside strings, where `\uFFFE` means the same). An event
 * holding one (a username, a client's user agent) would otherwise be refused on every attempt.
 */
export function messageBody(value: unknown): string {
  return JSON.stringify(value).replace(/[\uFFFE\uFFFF]/g, (char) => '\\u' + char.charCodeAt(0).toString(16));
}

/** The size SQS counts for a string: its UTF-8 bytes. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The bytes SQS adds to a message's size for its attributes: each name, data type and value.
 */
export function attributeBytes(attributes: Record<string, { DataType: string; StringValue?: string }>): number {
  let total = 0;
  for (const [name, attribute] of Object.entries(attributes)) {
    total += utf8Bytes(name) + utf8Bytes(attribute.DataType) + utf8Bytes(attribute.StringValue ?? '');
  }
  return total;
}
