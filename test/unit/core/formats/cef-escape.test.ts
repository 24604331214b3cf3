import { describe, expect, it } from 'vitest';
import { escapeExtensionValue, escapeHeaderField, headerText, truncate } from '../../../../lib/core/formats/cef-escape.js';

describe('escapeHeaderField', () => {
  it('escapes backslash and pipe', () => {
    expect(escapeHeaderField('a|b\\c')).toBe('a\\|b\\\\c');
  });

  it('leaves = and spaces alone, which only matter in the extension', () => {
    expect(escapeHeaderField('a = b')).toBe('a = b');
  });

  it('escapes a backslash before a pipe as two escapes, not one', () => {
    expect(escapeHeaderField('\\|')).toBe('\\\\\\|');
  });
});

describe('escapeExtensionValue', () => {
  it('escapes backslash and equals', () => {
    expect(escapeExtensionValue('a=b\\c')).toBe('a\\=b\\\\c');
  });

  it('writes line breaks as the two characters \\n and \\r', () => {
    expect(escapeExtensionValue('one\r\ntwo\nthree\rfour')).toBe('one\\r\\ntwo\\nthree\\rfour');
  });

  it('does not escape a pipe, which needs no escaping in the extension', () => {
    expect(escapeExtensionValue('a|b')).toBe('a|b');
  });

  it('keeps spaces and unicode as they are', () => {
    expect(escapeExtensionValue('Ünïcödé 😀 text')).toBe('Ünïcödé 😀 text');
  });
});

describe('headerText', () => {
  it('turns every kind of line break into one space', () => {
    expect(headerText('a\r\nb\nc\rd', 100)).toBe('a b c d');
  });

  it('truncates to the given number of characters', () => {
    expect(headerText('abcdef', 3)).toBe('abc');
  });
});

describe('truncate', () => {
  it('returns a value within the limit unchanged', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('counts an astral character as one character and never splits it', () => {
    expect(truncate('😀😀😀', 2)).toBe('😀😀');
    expect(truncate('a😀b', 2)).toBe('a😀');
  });

  it('cuts the raw value, so the escaped result has no broken escape', () => {
    const cut = truncate('ab=cd', 3);
    expect(cut).toBe('ab=');
    expect(escapeExtensionValue(cut)).toBe('ab\\=');
  });

  it('counts a lone surrogate as one character', () => {
    expect(truncate('\ud800\ud800x', 2)).toBe('\ud800\ud800');
  });
});
