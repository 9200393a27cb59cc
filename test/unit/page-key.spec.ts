import { describe, expect, test } from '@jest/globals';
import {
  MAX_KEY_LENGTH,
  normalisePath,
  pageKeyFromUrl,
  pathEpochKey,
  toPagePath,
} from '../../lib/store/page-key.js';

describe('page keys', () => {
  test('follow the documented format <prefix><METHOD>:<path>[?<sorted query>]', () => {
    expect(pageKeyFromUrl('cache-page:', 'GET', '/posts/hello').entry).toBe('cache-page:GET:/posts/hello');
    expect(pageKeyFromUrl('cache-page:', 'GET', '/search?q=b&a=1').entry).toBe(
      'cache-page:GET:/search?a=1&q=b',
    );
    expect(pageKeyFromUrl('cache-page:', 'GET', '/search?').entry).toBe('cache-page:GET:/search');
  });

  test('every spelling of a path shares the epoch key that invalidation of the path writes', () => {
    const epoch = pathEpochKey('p:', '/posts/café');
    for (const url of ['/posts/caf%C3%A9', '/posts/caf%c3%a9/', '/POSTS/CAF%C3%A9', '//posts//café?x=1']) {
      expect(pageKeyFromUrl('p:', 'GET', url).epoch).toBe(epoch);
    }
    expect(pageKeyFromUrl('p:', 'GET', '/posts/other').epoch).not.toBe(epoch);
  });

  test('malformed percent-encoding is kept as is instead of throwing', () => {
    expect(normalisePath('/a/%E0%A4%A/b%C3%A9')).toBe('/a/%e0%a4%a/bé');
    expect(normalisePath('/')).toBe('/');
    expect(normalisePath('/a///')).toBe('/a');
  });

  test('very long URLs produce bounded keys that still tell URLs apart', () => {
    const a = pageKeyFromUrl('p:', 'GET', `/x?q=${'a'.repeat(10_000)}`);
    const b = pageKeyFromUrl('p:', 'GET', `/x?q=${'a'.repeat(9_999)}b`);
    expect(a.entry.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(a.entry).not.toBe(b.entry);
    expect(pathEpochKey('p:', `/${'y'.repeat(5_000)}`).length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
  });

  test('invalidation paths: absolute URLs, query strings and fragments reduce to the path', () => {
    expect(toPagePath('https://example.com/posts/1?x=1#top')).toBe('/posts/1');
    expect(toPagePath('http://example.com')).toBe('/');
    expect(toPagePath('/posts?page=2')).toBe('/posts');
    expect(() => toPagePath('posts/1')).toThrow(/CachePageModule: cannot invalidate "posts\/1"/);
    expect(() => toPagePath(42)).toThrow(/cannot invalidate 42/);
  });
});
