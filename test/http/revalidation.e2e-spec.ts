import { afterEach, describe, expect, test } from '@jest/globals';
import request from 'supertest';
import { CachePageService, type CachePageModuleOptions } from 'nestjs-cache-page';
import { ADAPTERS, createPagesApp, type PagesApp } from './fixtures/create-pages-app.js';
import { expectHit, expectMiss } from '../support/cache-assertions.js';

/*
 * Real clients revalidate: feed readers always send If-None-Match, browsers do on reload. A
 * revalidation that arrives on a miss must still fill the cache, and the client still gets its
 * 304. And, as an opt-in, browsers are helped not to show pages from before a change on
 * Back/Forward, and not to keep pages the cache never serves.
 */
describe.each(ADAPTERS)('revalidating clients on %s', (adapter) => {
  let pages: PagesApp | undefined;
  afterEach(async () => {
    await pages?.app.close();
    pages = undefined;
  });
  const start = async (options: CachePageModuleOptions = {}) =>
    (pages = await createPagesApp(adapter, options));
  const get = (path: string) => request(pages!.server).get(path);

  test('a client that only ever revalidates fills the cache on its first request and gets 304s', async () => {
    await start();
    const etag = (await get('/stable/feed')).headers.etag as string | undefined;
    const hit = await get('/stable/feed');
    const tag = etag ?? (hit.headers.etag as string);
    expect(tag).toMatch(/^W\/"/);
    await pages!.app.get(CachePageService).invalidate('/stable/feed'); // e.g. a restart, or a change that kept the body
    const callsBefore = pages!.data.counters.of('stable:feed');

    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await get('/stable/feed').set('If-None-Match', tag);
      seen.push(`${response.status} ${response.headers['x-cache']}`);
      expect(response.text ?? '').toBe('');
    }
    expect(seen).toEqual(['304 MISS', ...Array.from({ length: 9 }, () => '304 HIT')]);
    expect(pages!.data.counters.of('stable:feed') - callsBefore).toBe(1);
    const plain = await get('/stable/feed').expect(200);
    expectHit(plain);
    expect(plain.text).toBe(hit.text);
  });

  test('a matching tag gets its 304 also with Cache-Control: no-cache (RFC 9110 §13.1.2), on a miss and a hit', async () => {
    await start();
    await get('/stable/feed').expect(200);
    const tag = (await get('/stable/feed').expect(200)).headers.etag as string;
    await pages!.app.get(CachePageService).invalidate('/stable/feed');
    const revalidate = () => get('/stable/feed').set('If-None-Match', tag).set('Cache-Control', 'no-cache');
    const miss = await revalidate().expect(304);
    expectMiss(miss);
    expectHit(await revalidate().expect(304));
  });

  test('a revalidation with a tag of an older page gets the full page, which is stored', async () => {
    await start();
    const miss = await get('/items/changed').set('If-None-Match', 'W/"4-old"').expect(200);
    expectMiss(miss);
    expect(miss.text).toContain('item changed');
    const hit = await get('/items/changed').set('If-None-Match', 'W/"4-old"').expect(200);
    expectHit(hit);
    expect(hit.text).toBe(miss.text);
  });

  test('If-Modified-Since on a miss of a page with Last-Modified: 304, and the page is stored', async () => {
    await start();
    const response = await get('/dated').set('If-Modified-Since', 'Tue, 01 Dec 2026 10:00:00 GMT');
    expect(response.status).toBe(304);
    expectMiss(response);
    const plain = await get('/dated').expect(200);
    expectHit(plain);
    expect(plain.text).toContain('dated call 1');
  });

  test('Range: a 206 is never stored; a cached page answers a Range request in full', async () => {
    await start();
    const partial = await get('/ranged').set('Range', 'bytes=0-5').expect(206);
    expect(partial.text).toBe('ranged');
    expect(partial.headers['content-range']).toBe('bytes 0-5/64');
    expectMiss(partial);
    const calls = pages!.data.counters.of('ranged');
    const miss = await get('/ranged').expect(200);
    expectMiss(miss);
    expect(miss.text).toHaveLength(64);
    // RFC 9110 §14.2: a server may ignore Range; the cached page is sent whole, never a slice of it.
    const ranged = await get('/ranged').set('Range', 'bytes=0-5').expect(200);
    expectHit(ranged);
    expect(ranged.text).toBe(miss.text);
    expect(ranged.headers['content-range']).toBeUndefined();
    expect(pages!.data.counters.of('ranged') - calls).toBe(1);
  });

  test('reloadOnBack: cached HTML (and the miss itself) carries the check, tagged with the page', async () => {
    await start({ reloadOnBack: true });
    const miss = await get('/article/a').expect(200);
    const hit = await get('/article/a').expect(200);
    expectHit(hit);
    expect(hit.text).toBe(miss.text);
    const tag = /data-cache-page-etag="([^"]+)"/.exec(hit.text)?.[1]?.replace(/&quot;/g, '"');
    expect(tag).toBe(hit.headers.etag);
    expect(hit.text.indexOf('<script')).toBeLessThan(hit.text.indexOf('</head>'));

    const unchanged = await get('/article/a').set('If-None-Match', tag!);
    expect(unchanged.status).toBe(304);
    pages!.data.value = 'changed';
    await pages!.app.get(CachePageService).invalidate('/article/a');
    const changed = await get('/article/a').set('If-None-Match', tag!);
    expect(changed.status).toBe(200);
    expect((await get('/json')).text).not.toContain('data-cache-page-etag');
  });

  test('noStoreUncached: ignored paths, @NoCachePage() routes, credentials and personal pages say no-store; cached pages say no-cache', async () => {
    await start({ noStoreUncached: true });
    expect((await get('/admin/dashboard')).headers['cache-control']).toBe('no-store');
    expect((await get('/skip')).headers['cache-control']).toBe('no-store');
    expect((await get('/text').set('Authorization', 'Bearer x')).headers['cache-control']).toBe('no-store');
    expect((await get('/private')).headers['cache-control']).toBe('private, max-age=60');
    expect((await get('/text')).headers['cache-control']).toBe('no-cache');
    expect((await get('/text')).headers['cache-control']).toBe('no-cache');
  });
});
