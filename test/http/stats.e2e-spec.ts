import { afterEach, describe, expect, test } from '@jest/globals';
import { CachePageService, type RouteStats } from 'nestjs-cache-page';
import { createCache } from 'cache-manager';
import request from 'supertest';
import { CapturedLogs } from '../support/captured-logs.js';
import { FlakyCache } from '../support/flaky-cache.js';
import { ADAPTERS, createPagesApp, type PagesApp } from './fixtures/create-pages-app.js';

/* CachePageService.stats(): after a scripted mix of requests, the counters say what was sent. */
describe.each(ADAPTERS)('stats() on %s', (adapter) => {
  let pages: PagesApp | undefined;
  afterEach(async () => {
    await pages?.app.close();
    pages = undefined;
  });
  const get = (path: string) => request(pages!.server).get(path);
  const routeStats = (pattern: string): RouteStats | undefined =>
    pages!.app.get(CachePageService).stats().routes[pattern];
  const counts = (hits: number, misses: number, stored: number, extra: Partial<RouteStats> = {}) => ({
    hits,
    misses,
    stored,
    stale: 0,
    warmed: 0,
    invalidations: 0,
    bypasses: {},
    notStored: {},
    ...extra,
  });

  test.each([
    ['the fast path (the default)', {}],
    ['the interceptor path', { fastPath: false as const }],
  ])('hits, misses and stored pages per route pattern, on %s', async (_path, options) => {
    pages = await createPagesApp(adapter, options);
    for (let i = 0; i < 3; i++) await get('/json').expect(200);
    for (const id of ['7', '8', '7', '8', '8']) await get(`/items/${id}`).expect(200);
    expect(routeStats('GET /json')).toEqual(counts(2, 1, 1));
    expect(routeStats('GET /items/:id')).toEqual(counts(3, 2, 2));
    expect(pages.data.counters.of('json')).toBe(1);
  });

  test('requests that bypass the cache are counted by reason, under their route', async () => {
    pages = await createPagesApp(adapter, {});
    await get('/json').set('Authorization', 'Bearer x').expect(200);
    await get('/json').set('Authorization', 'Bearer y').expect(200);
    await get('/admin/dashboard').expect(200);
    await get('/skip').expect(200);
    await get('/skip').expect(200);
    expect(routeStats('GET /json')).toEqual(counts(0, 0, 0, { bypasses: { credentials: 2 } }));
    expect(routeStats('GET /admin/dashboard')).toEqual(counts(0, 0, 0, { bypasses: { 'ignored-path': 1 } }));
    expect(routeStats('GET /skip')).toEqual(counts(0, 0, 0, { bypasses: { 'no-cache-route': 2 } }));
  });

  test('misses whose page is not stored are counted by reason', async () => {
    pages = await createPagesApp(adapter, {});
    await get('/cookie').expect(200);
    await get('/cookie').expect(200);
    await get('/private').expect(200);
    await get('/file').expect(200);
    await get('/missing').expect(404);
    await request(pages.server).head('/items/9').expect(200);
    expect(routeStats('GET /cookie')).toEqual(counts(0, 2, 0, { notStored: { 'set-cookie': 2 } }));
    expect(routeStats('GET /private')).toEqual(counts(0, 1, 0, { notStored: { private: 1 } }));
    expect(routeStats('GET /file')).toEqual(counts(0, 1, 0, { notStored: { stream: 1 } }));
    expect(routeStats('GET /missing')).toEqual(counts(0, 1, 0, { notStored: { error: 1 } }));
    expect(routeStats('GET /items/:id')).toEqual(counts(0, 1, 0, { notStored: { head: 1 } }));
  });

  test('the store is reported answering, with no errors; stats() is a copy', async () => {
    pages = await createPagesApp(adapter, {});
    const cachePage = pages.app.get(CachePageService);
    await get('/json').expect(200);
    const before = cachePage.stats();
    expect(before.store).toEqual({ errors: 0, down: false, heldInvalidations: 0 });
    await get('/json').expect(200);
    expect(before.routes['GET /json']!.hits).toBe(0);
    expect(cachePage.stats().routes['GET /json']!.hits).toBe(1);
  });

  test('a store that fails: requests bypass it as store-down, its errors are counted, it is reported down', async () => {
    const flaky = new FlakyCache(createCache());
    pages = await createPagesApp(adapter, { cache: flaky.cache });
    flaky.down = true;
    for (let i = 0; i < 4; i++) await get('/json').expect(200);
    const stats = pages.app.get(CachePageService).stats();
    expect(stats.routes['GET /json']!.bypasses['store-down']).toBe(4);
    expect(stats.routes['GET /json']!.hits).toBe(0);
    expect(stats.store.errors).toBeGreaterThanOrEqual(3);
    expect(stats.store.down).toBe(true);
  });

  test('a route whose pages are invalidated more often than served is counted, and warned about once', async () => {
    const logs = new CapturedLogs();
    pages = await createPagesApp(adapter, {}, [], logs);
    const cachePage = pages.app.get(CachePageService);
    for (let i = 0; i < 25; i++) {
      await get('/items/7').expect(200);
      await cachePage.invalidate('/items/7');
    }
    await get('/json').expect(200);
    await cachePage.invalidate('/json');
    expect(routeStats('GET /items/:id')).toMatchObject({
      hits: 0,
      misses: 25,
      stored: 25,
      invalidations: 25,
    });
    expect(routeStats('GET /json')).toMatchObject({ stored: 1, invalidations: 1 });
    expect(logs.of('warn').filter((line) => line.includes('invalidated'))).toEqual([
      expect.stringContaining(
        'the pages of GET /items/:id were invalidated 20 times and served from the cache 0 times',
      ),
    ]);
  });
});
