import { describe, expect, test } from '@jest/globals';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { BodyTier, digestOf, type PageBody } from '../../../lib/store/page-body.js';

const bodyOf = (text: string): PageBody => {
  const bytes = Buffer.from(text);
  return { digest: digestOf(bytes), bytes };
};

describe('the body tier', () => {
  test('a compressed copy is made once, kept with the body, and counted in the bytes held', async () => {
    const tier = new BodyTier(10 * 2 ** 20);
    const body = bodyOf('<p>a page that compresses well</p>'.repeat(600));
    tier.set(body);
    const held = tier.bytes;
    const [first, second] = await Promise.all([tier.encoded(body, 'br'), tier.encoded(body, 'br')]);
    expect(first).toBe(second);
    expect(tier.encoded(body, 'br')).toBe(first);
    expect(brotliDecompressSync(first).equals(body.bytes)).toBe(true);
    expect(tier.bytes).toBe(held + first.length);
    const gzip = await tier.encoded(body, 'gzip');
    expect(gunzipSync(gzip).equals(body.bytes)).toBe(true);
  });

  test('a compressed copy owns a buffer of its own size, not a view of a zlib output chunk', async () => {
    const tier = new BodyTier(10 * 2 ** 20);
    const body = bodyOf('{"id":1,"title":"A post about caching pages forever"}'.repeat(400));
    tier.set(body);
    for (const encoding of ['br', 'gzip'] as const) {
      const compressed = await tier.encoded(body, encoding);
      expect(compressed.length).toBeLessThan(2_000);
      expect(compressed.buffer.byteLength).toBe(compressed.length);
    }
  });

  test('bodies beyond the byte bound are evicted least recently used first', () => {
    const tier = new BodyTier(3 * 1_200);
    const bodies = ['a', 'b', 'c', 'd'].map((letter) => bodyOf(letter.repeat(1_000)));
    for (const body of bodies.slice(0, 3)) tier.set(body);
    tier.get(bodies[0].digest);
    tier.set(bodies[3]);
    expect(tier.get(bodies[0].digest)).toBe(bodies[0]);
    expect(tier.get(bodies[1].digest)).toBeUndefined();
    expect(tier.get(bodies[3].digest)).toBe(bodies[3]);
  });

  test('the same bytes set again keep the copy held, with its compressed copies', async () => {
    const tier = new BodyTier(10 * 2 ** 20);
    const body = bodyOf('<p>kept once</p>'.repeat(200));
    tier.set(body);
    const br = await tier.encoded(body, 'br');
    const again = bodyOf('<p>kept once</p>'.repeat(200));
    tier.set(again);
    expect(tier.get(again.digest)).toBe(body);
    expect(tier.encoded(body, 'br')).toBe(br);
  });

  test('a body larger than the bound is not kept, and evicts nothing', () => {
    const tier = new BodyTier(2_000);
    const small = bodyOf('s'.repeat(500));
    tier.set(small);
    const held = tier.bytes;
    tier.set(bodyOf('l'.repeat(5_000)));
    expect(tier.get(small.digest)).toBe(small);
    expect(tier.bytes).toBe(held);
  });
});
