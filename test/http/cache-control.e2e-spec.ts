import { afterEach, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { CachePage } from 'nestjs-cache-page';
import { resolveCachePageOptions } from '../../lib/cache-page.options.js';
import { ADAPTERS, createPagesApp, type PagesApp } from './fixtures/create-pages-app.js';
import { createVisitorApp, type VisitorApp } from './fixtures/visitor-app.js';
import { expectHit, expectMiss } from '../support/cache-assertions.js';

/*
 * `cacheControl`: what browsers and proxies are told about the pages the cache stores and serves.
 * Sending nothing is not neutral (stock Varnish keeps such a page 120 s, Fastly an hour); the
 * default `no-cache` makes every copy one hop away ask first, and the cache answers with a 304.
 */
describe.each(ADAPTERS)('Cache-Control on cached pages, on %s', (adapter) => {
  let pages: PagesApp | undefined;
  let visitors: VisitorApp | undefined;
  afterEach(async () => {
    await pages?.app.close();
    await visitors?.app.close();
    pages = visitors = undefined;
  });
  const get = (path: string) => request(pages!.server).get(path);

  test('by default a miss and its hits (both hit paths) say no-cache, and revalidation is a 304 from the cache', async () => {
    pages = await createPagesApp(adapter, {});
    const miss = await get('/text');
    expectMiss(miss);
    expect(miss.headers['cache-control']).toBe('no-cache');
    const hit = await get('/text');
    expectHit(hit);
    expect(hit.headers['cache-control']).toBe('no-cache');
    const guarded = await createPagesApp(adapter, { fastPath: false });
    try {
      await request(guarded.server).get('/text');
      const interceptorHit = await request(guarded.server).get('/text');
      expectHit(interceptorHit);
      expect(interceptorHit.headers['cache-control']).toBe('no-cache');
    } finally {
      await guarded.app.close();
    }
    const revalidated = await get('/text').set('If-None-Match', hit.headers.etag as string);
    expect(revalidated.status).toBe(304);
  });

  test("a route's own Cache-Control wins (and a private one keeps the page out of the cache)", async () => {
    pages = await createPagesApp(adapter, {});
    for (let i = 0; i < 2; i++) {
      const response = await get('/private');
      expect(response.headers['cache-control']).toBe('private, max-age=60');
      expectMiss(response);
    }
  });

  test('cacheControl: a value of the app, and false for none', async () => {
    pages = await createPagesApp(adapter, { cacheControl: 'max-age=5' });
    expect((await get('/text')).headers['cache-control']).toBe('max-age=5');
    const hit = await get('/text');
    expectHit(hit);
    expect(hit.headers['cache-control']).toBe('max-age=5');
    await pages.app.close();
    pages = await createPagesApp(adapter, { cacheControl: false });
    expect((await get('/text')).headers['cache-control']).toBeUndefined();
    expect((await get('/text')).headers['cache-control']).toBeUndefined();
  });

  test('a personal page (the session read for a signed-in visitor) says private, and is not stored', async () => {
    visitors = await createVisitorApp(adapter);
    const agent = request.agent(visitors.server);
    await agent.post('/login?name=alice').expect(201);
    const first = await agent.get('/me');
    expect(first.text).toContain('me:alice');
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect((await agent.get('/me')).text).toContain('call 2');
  });
});

describe('cacheControl values', () => {
  test.each([['private'], ['no-store'], ['max-age=60, private'], [''], ['no-cache\r\nX: y'], [42]])(
    '%j is refused in the module options and on @CachePage(), naming the option and the fix',
    (value) => {
      expect(() => resolveCachePageOptions({ cacheControl: value as never })).toThrow(
        /CachePageModule: option "cacheControl" must be false or a Cache-Control value .* Fix it in CachePageModule.forRoot/,
      );
      expect(() => CachePage({ cacheControl: value as never })).toThrow(
        /CachePageModule: @CachePage\(\): "cacheControl" must be false or a Cache-Control value/,
      );
    },
  );
});
