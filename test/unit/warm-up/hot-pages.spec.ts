import { describe, expect, test } from '@jest/globals';
import { HotPages } from '../../../lib/warm-up/hot-pages.js';

describe('hot pages: what was served lately, by the keys it depends on', () => {
  test('pages are found by their path’s epoch key or a dependency key, only if served since the given time', () => {
    const pages = new HotPages();
    pages.served('p1', 'http://a', '/posts/1', 'epoch:/posts/1', undefined, 1_000);
    pages.served('p2', 'http://a', '/posts/2', 'epoch:/posts/2', ['dep:Post:2'], 5_000);
    const urls = (keys: string[], since: number) =>
      pages.dependingOn(keys, 'epoch', since).map((page) => page.url);
    expect(urls(['epoch:/posts/1'], 0)).toEqual(['/posts/1']);
    expect(urls(['dep:Post:2'], 0)).toEqual(['/posts/2']);
    expect(urls(['epoch:/posts/1', 'dep:Post:2'], 2_000)).toEqual(['/posts/2']); // /posts/1 was served too long ago
    expect(urls(['epoch'], 0).sort()).toEqual(['/posts/1', '/posts/2']); // the every-page key
  });

  test('bounded: past `max` pages the least recently served goes, with its index entries', () => {
    const pages = new HotPages(2);
    pages.served('p1', '', '/1', 'e1', undefined, 1_000);
    pages.served('p2', '', '/2', 'e2', undefined, 1_000);
    pages.served('p1', '', '/1', 'e1', undefined, 3_000); // served again (over a second later): now the most recent
    pages.served('p3', '', '/3', 'e3', undefined, 3_000);
    expect(
      pages
        .dependingOn(['e1', 'e2', 'e3'], 'every', 0)
        .map((page) => page.url)
        .sort(),
    ).toEqual(['/1', '/3']);
  });

  test('the last origin served is the one warm() uses by default', () => {
    const pages = new HotPages();
    expect(pages.lastOrigin).toBeUndefined();
    pages.served('p1', 'https://one.example', '/', 'e', undefined, 1_000);
    pages.served('p2', 'https://two.example', '/', 'e', undefined, 2_000);
    expect(pages.lastOrigin).toBe('https://two.example');
  });
});
