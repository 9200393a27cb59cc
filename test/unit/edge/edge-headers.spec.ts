import { describe, expect, test } from '@jest/globals';
import { EdgeHeaders } from '../../../lib/edge/edge-headers.js';
import type { EdgePurger } from '../../../lib/edge/edge-purger.js';
import { pageSurrogateKeys, surrogateKeyOf } from '../../../lib/store/surrogate-keys.js';

const edge = (
  keyHeader: string,
  keySeparator: ' ' | ',',
  maxKeyHeaderBytes: number,
  lifetimeHeader: string,
): EdgePurger => ({
  name: `${keyHeader} edge`,
  keyHeader,
  keySeparator,
  maxKeyHeaderBytes,
  lifetimeHeader,
  purge: async () => undefined,
});

const options = (purgers: EdgePurger[]) => ({
  purgers,
  ttl: 3_600_000,
  waitForPurge: false,
  purgeTimeout: 1,
  repurgeAfter: 0,
});

describe('EdgeHeaders', () => {
  test("a hit gets each edge's keys, in its separator, and one lifetime per lifetime header", () => {
    const headers = new EdgeHeaders(
      options([
        edge('xkey', ' ', 7_168, 'Surrogate-Control'),
        edge('Cache-Tag', ',', 16_000, 'Cloudflare-CDN-Cache-Control'),
      ]),
    );
    const keys = pageSurrogateKeys('p:epoch:/a', 'p:epoch', ['p:dep:Post#1']);
    expect(headers.forHit(keys)).toEqual([
      ['Surrogate-Control', 'max-age=3600'],
      ['Cloudflare-CDN-Cache-Control', 'max-age=3600'],
      ['xkey', keys],
      ['Cache-Tag', keys.replaceAll(' ', ',')],
    ]);
    expect(headers.forHit(undefined)).toEqual([
      ['Surrogate-Control', 'no-store'],
      ['Cloudflare-CDN-Cache-Control', 'no-store'],
    ]);
    expect([...headers.names]).toEqual([
      'surrogate-control',
      'xkey',
      'cloudflare-cdn-cache-control',
      'cache-tag',
    ]);
  });

  test("keys beyond an edge's header limit: no-store at that edge, never a truncated list; the others keep the page", () => {
    const small = edge('xkey', ' ', 60, 'Surrogate-Control');
    const large = edge('Cache-Tag', ',', 16_000, 'Cloudflare-CDN-Cache-Control');
    const headers = new EdgeHeaders(options([small, large]));
    const keys = pageSurrogateKeys('p:epoch:/a', 'p:epoch', ['p:dep:Post#1', 'p:dep:Post#2']);
    expect(keys.length).toBeGreaterThan(60);
    const sent = headers.forHit(keys);
    expect(sent).toContainEqual(['Surrogate-Control', 'no-store']);
    expect(sent.find(([name]) => name === 'xkey')).toBeUndefined();
    expect(sent).toContainEqual(['Cloudflare-CDN-Cache-Control', 'max-age=3600']);
    expect(sent).toContainEqual(['Cache-Tag', keys.replaceAll(' ', ',')]);
  });

  test('two edges reading one lifetime header: one that cannot take the keys makes it no-store for both', () => {
    const headers = new EdgeHeaders(
      options([
        edge('Surrogate-Key', ' ', 16_384, 'Surrogate-Control'),
        edge('xkey', ' ', 30, 'Surrogate-Control'),
      ]),
    );
    const keys = pageSurrogateKeys('p:epoch:/a', 'p:epoch');
    expect(headers.forHit(keys).filter(([name]) => name === 'Surrogate-Control')).toEqual([
      ['Surrogate-Control', 'no-store'],
    ]);
  });

  test('surrogate keys are 24 lower-case hex digits, the same for the same epoch key', () => {
    expect(surrogateKeyOf('cache-page:epoch:/posts/hello')).toMatch(/^[0-9a-f]{24}$/);
    expect(surrogateKeyOf('cache-page:epoch:/posts/hello')).toBe(
      surrogateKeyOf('cache-page:epoch:/posts/hello'),
    );
    expect(surrogateKeyOf('cache-page:epoch:/posts/hello')).not.toBe(
      surrogateKeyOf('other:epoch:/posts/hello'),
    );
  });
});
