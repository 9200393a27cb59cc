import { describe, expect, test } from '@jest/globals';
import {
  canonicalQuery,
  epochKeyOf,
  invalidationEpochKeys,
  MAX_KEY_LENGTH,
  pageKey,
} from '../../lib/store/page-key.js';
import { canonicalPath, invalidationPaths, requestPagePath } from '../../lib/store/page-path.js';
import { PathMapping } from '../../lib/store/path-mapping.js';

const keyOf = (url: string, origin = '') => {
  const [path, query = ''] = url.split('?', 2);
  return pageKey('p:', { origin, path, query: canonicalQuery(query), pagePath: requestPagePath(path) });
};

describe('page keys', () => {
  test('read like URLs: <prefix>GET:<origin><path>[?<query in canonical order>]', () => {
    expect(keyOf('/posts/hello', 'https://blog.example').entry).toBe(
      'p:GET:https://blog.example/posts/hello',
    );
    expect(keyOf('/search?q=b&a=1').entry).toBe('p:GET:/search?a=1&q=b');
    expect(keyOf('/search?').entry).toBe('p:GET:/search');
  });

  test('repeated query parameters keep their order (it can change the page)', () => {
    expect(canonicalQuery('a=1&a=2')).toBe('a=1&a=2');
    expect(canonicalQuery('a=2&a=1')).toBe('a=2&a=1');
    expect(canonicalQuery('b=1&a=2&a=1')).toBe('a=2&a=1&b=1');
  });

  test('every spelling of a path shares the epoch key that invalidation of the path writes', () => {
    const epochs = invalidationEpochKeys('p:', '/posts/café');
    for (const url of ['/posts/caf%C3%A9', '/posts/caf%c3%a9/', '/POSTS/CAF%C3%A9', '//posts//café?x=1']) {
      expect(epochs).toContain(keyOf(url).epoch);
    }
    expect(epochs).not.toContain(keyOf('/posts/other').epoch);
  });

  // A slug holds what a user typed; the URL a browser requests carries it percent-encoded.
  test.each([
    ['#', 'c#'],
    ['?', 'c?'],
    ['a literal %41', '%41'],
    ['a literal %', '100%'],
    ['a trailing space', 'c '],
    ['a slash', 'a/b'],
    ['Unicode', 'crème brûlée'],
    ['Unicode in NFD', 'cre\u0300me'],
    ['an emoji', '🙂'],
  ])('invalidating a path built from a slug with %s reaches the page requested with it', (_, slug) => {
    const requested = keyOf(`/labels/${encodeURIComponent(slug)}`);
    expect(invalidationEpochKeys('p:', `/labels/${slug}`)).toContain(requested.epoch);
    expect(invalidationEpochKeys('p:', `/labels/${encodeURIComponent(slug)}`)).toContain(requested.epoch);
  });

  test('query strings, fragments and absolute URLs given to invalidate() also reach the plain path', () => {
    expect(invalidationEpochKeys('p:', '/posts?page=2')).toContain(keyOf('/posts').epoch);
    expect(invalidationEpochKeys('p:', 'https://example.com/posts/1?x=1#top')).toContain(
      keyOf('/posts/1').epoch,
    );
    expect(invalidationEpochKeys('p:', 'http://example.com')).toContain(keyOf('/').epoch);
  });

  test('values that are not paths are rejected with the module name and the value', () => {
    expect(() => invalidationPaths('posts/1')).toThrow(/CachePageModule: cannot invalidate "posts\/1"/);
    expect(() => invalidationPaths(42)).toThrow(/cannot invalidate 42/);
  });

  test('malformed percent-encoding is kept as it is instead of throwing', () => {
    expect(requestPagePath('/a/%E0%A4%A/b%C3%A9')).toBe('/a/%e0%a4%a/bé');
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('/a///')).toBe('/a');
  });

  test('very long URLs produce bounded keys that still tell URLs apart', () => {
    const a = keyOf(`/x?q=${'a'.repeat(10_000)}`);
    const b = keyOf(`/x?q=${'a'.repeat(9_999)}b`);
    expect(a.entry.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
    expect(a.entry).not.toBe(b.entry);
    expect(epochKeyOf('p:', `/${'y'.repeat(5_000)}`).length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
  });
});

describe('path mapping (global prefix, URI versions, RouterModule prefixes)', () => {
  const mapping = new PathMapping();
  mapping.configure('/api', ['v1', 'v2'], ['/blog', '/blog/admin']);
  const strip = (path: string) => mapping.strip(canonicalPath(path));

  test.each([
    ['/api/posts/hello', '/posts/hello'],
    ['/api/v1/posts/hello', '/posts/hello'],
    ['/api/v2/blog/posts/hello', '/posts/hello'],
    ['/api/blog/admin/users', '/users'],
    ['/posts/hello', '/posts/hello'],
    ['/apis/x', '/apis/x'],
    ['/api', '/'],
    ['/api/v3/x', '/v3/x'],
  ])('%s → %s', (path, expected) => {
    expect(strip(path)).toBe(expected);
  });

  test('an invalidation of the controller-level or of the full path reaches the page as served', () => {
    const served = mapping.strip(requestPagePath('/api/v1/posts/hello'));
    for (const named of ['/posts/hello', '/api/v1/posts/hello', '/api/posts/hello']) {
      expect(invalidationEpochKeys('p:', named, (path) => mapping.strip(path))).toContain(
        epochKeyOf('p:', served),
      );
    }
  });
});
