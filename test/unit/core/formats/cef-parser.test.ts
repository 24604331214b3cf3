import { describe, expect, it } from 'vitest';
import { CefParseError, parseCef } from '../../../support/cef-parser.js';

describe('parseCef', () => {
  it('splits the header honouring \\| and \\\\ and keeps raw pipes in the extension', () => {
    const parsed = parseCef('CEF:0|Ven\\|dor|Pro\\\\duct|1.0|sig|A name|3|act=a|b msg=two words');
    expect(parsed).toEqual({
      version: '0',
      vendor: 'Ven|dor',
      product: 'Pro\\duct',
      deviceVersion: '1.0',
      signatureId: 'sig',
      name: 'A name',
      severity: '3',
      extension: [
        ['act', 'a|b'],
        ['msg', 'two words'],
      ],
    });
  });

  it('unescapes \\=, \\\\, \\n and \\r in values, and takes the last word before = as the key', () => {
    const parsed = parseCef('CEF:0|v|p|1|s|n|1|a=x\\=y z\\\\ b=l1\\nl2\\r c= d=  spaced ');
    expect(parsed.extension).toEqual([
      ['a', 'x=y z\\'],
      ['b', 'l1\nl2\r'],
      ['c', ''],
      ['d', '  spaced '],
    ]);
  });

  it.each([
    ['a raw line break', 'CEF:0|v|p|1|s|n|1|a=b\nc=d'],
    ['a missing CEF prefix', 'LEEF:0|v|p|1|s|n|1|a=b'],
    ['too few header fields', 'CEF:0|v|p|1|s|n'],
    ['an unknown header escape', 'CEF:0|v\\x|p|1|s|n|1|a=b'],
    ['an unknown extension escape', 'CEF:0|v|p|1|s|n|1|a=b\\t'],
    ['a trailing backslash', 'CEF:0|v|p|1|s|n|1|a=b\\'],
    ['text before the first key', 'CEF:0|v|p|1|s|n|1|junk a=b'],
    ['a key without a separating space', 'CEF:0|v|p|1|s|n|1|a=b=c'],
    ['a key with an invalid character', 'CEF:0|v|p|1|s|n|1|a=b k-y=c'],
    ['an extension without pairs', 'CEF:0|v|p|1|s|n|1|no pairs'],
  ])('rejects %s', (_what, line) => {
    expect(() => parseCef(line)).toThrow(CefParseError);
  });

  it('accepts an empty extension', () => {
    expect(parseCef('CEF:0|v|p|1|s|n|1|').extension).toEqual([]);
  });
});
