import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { goQuote, warningHeaderValues } from '../../../src/apiserver/endpoints/warning-header.js';

describe('Warning headers', () => {
  it('quote text as strconv.QuoteToASCII does', () => {
    assert.equal(goQuote('a "b" \\ c'), '"a \\"b\\" \\\\ c"');
    assert.equal(goQuote('tab\there\nnul\u0000del\u007f'), '"tab\\there\\nnul\\x00del\\x7f"');
    assert.equal(goQuote('é💥\u202e'), '"\\u00e9\\U0001f4a5\\u202e"');
    assert.equal(goQuote('\ud800'), '"\\ufffd"');
  });

  it('are deduplicated, and past 4096 runes in all each warning is cut to 256 runes', () => {
    assert.deepEqual(warningHeaderValues(['a', 'b', 'a', '']), ['299 - "a"', '299 - "b"']);
    const long = (c: string): string => c.repeat(1000);
    const values = warningHeaderValues(['a', 'b', 'c', 'd', 'e'].map(long));
    assert.equal(values.length, 5);
    for (const v of values) assert.equal(v.length, '299 - ""'.length + 256);
    // Once 4096 runes are written while truncating, later warnings are dropped.
    const many = warningHeaderValues(Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(300, 'x')));
    assert.equal(many.length, 16);
  });
});
