import { describe, expect, test } from '@jest/globals';
import { gunzipSync } from 'node:zlib';
import { pageFragment } from '../../../lib/fragments/fragment-marker.js';
import { fillPage, fragmentEtag } from '../../../lib/fragments/fragment-response.js';
import { splitFragments } from '../../../lib/fragments/fragment-template.js';
import { escapeHtml, valueBytes } from '../../../lib/fragments/fragment-value.js';

const page = splitFragments(
  Buffer.from(
    `<h1>${pageFragment('greeting')}</h1>${'<p>shared text</p>'.repeat(500)}<i>${pageFragment('badge')}</i>`,
  ),
)!;

describe('a page filled for one visitor', () => {
  test('gzip from pieces compressed once is a valid stream of exactly the filled page', () => {
    for (const values of [
      ['y'.repeat(70_000), 'z'],
      ['Hi, alice', '★'],
      ['', ''],
      ['x'.repeat(5000), '<b>'],
    ]) {
      const buffers = values.map((value) => Buffer.from(value));
      const identity = fillPage(page.bytes, page.slots, 'W/"t"', buffers, false);
      const gzipped = fillPage(page.bytes, page.slots, 'W/"t"', buffers, true);
      expect(gzipped.encoding).toBe('gzip');
      expect(gunzipSync(gzipped.bytes).equals(identity.bytes)).toBe(true);
      const valueLength = values.reduce((sum, value) => sum + Buffer.byteLength(value), 0);
      expect(gzipped.bytes.length).toBeLessThan(
        (identity.bytes.length - valueLength) / 4 + valueLength + 100,
      );
      expect(gzipped.etag).toBe(identity.etag);
    }
  });

  test("the entity tag is the page's with a digest of the values: other values, other tag", () => {
    const alice = fragmentEtag('W/"1-abc"', [Buffer.from('Hi, alice'), Buffer.from('')]);
    expect(alice).toMatch(/^W\/"1-abc-[\w-]{12}"$/);
    expect(fragmentEtag('W/"1-abc"', [Buffer.from('Hi, alice'), Buffer.from('')])).toBe(alice);
    expect(fragmentEtag('W/"1-abc"', [Buffer.from('Hi, bob'), Buffer.from('')])).not.toBe(alice);
    expect(fragmentEtag('W/"1-abc"', [Buffer.from('Hi, alice'), Buffer.from('x')])).not.toBe(alice);
    expect(fragmentEtag('W/"1-abc"', [Buffer.from('Hi, alic'), Buffer.from('e')])).not.toBe(alice);
  });
});

describe('fragment values', () => {
  test('text is escaped for HTML text and quoted attributes; { html } and numbers go as they are', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(valueBytes('<b>')!.toString()).toBe('&lt;b&gt;');
    expect(valueBytes({ html: '<b>' })!.toString()).toBe('<b>');
    expect(valueBytes(42)!.toString()).toBe('42');
    expect(valueBytes(undefined)!.length).toBe(0);
    expect(valueBytes(null)!.length).toBe(0);
    expect(valueBytes({ text: 'x' })).toBeUndefined();
    expect(valueBytes(true)).toBeUndefined();
  });
});
