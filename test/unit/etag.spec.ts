import { describe, expect, test } from '@jest/globals';
import { matchesIfNoneMatch, weakEtag } from '../../lib/http/etag.js';
import { isNotModified } from '../../lib/http/revalidation.js';

describe('etags', () => {
  test('are weak, and equal to the tag Express gives the same body', () => {
    // Express 5 (etag package) answers W/"7-uBU3jI8NTTRRmcLuWhj5PJNmtxg" for {"n":1}.
    expect(weakEtag(Buffer.from('{"n":1}'))).toBe('W/"7-uBU3jI8NTTRRmcLuWhj5PJNmtxg"');
    expect(weakEtag(Buffer.from(''))).toBe('W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"');
  });

  test('If-None-Match matching is weak, handles lists and *', () => {
    const tag = weakEtag(Buffer.from('body'));
    expect(matchesIfNoneMatch(tag, tag)).toBe(true);
    expect(matchesIfNoneMatch(tag.slice(2), tag)).toBe(true);
    expect(matchesIfNoneMatch(`"x", ${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch('*', tag)).toBe(true);
    expect(matchesIfNoneMatch('"other"', tag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false);
  });

  test('a validated render: If-None-Match first, else If-Modified-Since against Last-Modified', () => {
    const tag = weakEtag(Buffer.from('body'));
    const dated = { 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' };
    expect(isNotModified({ ifNoneMatch: tag }, {}, tag)).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Tue, 01 Dec 2026 10:00:00 GMT' }, dated, tag)).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Mon, 30 Nov 2026 10:00:00 GMT' }, dated, tag)).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'Tue, 01 Dec 2026 10:00:00 GMT' }, {}, tag)).toBe(false);
    expect(
      isNotModified({ ifNoneMatch: '"other"', ifModifiedSince: 'Tue, 01 Dec 2026 10:00:00 GMT' }, dated, tag),
    ).toBe(false);
  });
});
