import { afterEach, describe, expect, test } from '@jest/globals';
import { CachePageService } from 'nestjs-cache-page';
import { expectHit, expectInvalidates, expectMiss, invalidatedBy } from 'nestjs-cache-page/testing';
import { AssertionError } from 'node:assert';
import request from 'supertest';
import { ADAPTERS, createPagesApp, type PagesApp } from './fixtures/create-pages-app.js';

/* nestjs-cache-page/testing, as an app's own tests use it: the helpers pass, and fail saying why. */
describe.each(ADAPTERS)('the testing helpers on %s', (adapter) => {
  let pages: PagesApp | undefined;
  afterEach(async () => {
    await pages?.app.close();
    pages = undefined;
  });
  const get = (path: string) => request(pages!.server).get(path);

  test('expectMiss() and expectHit() read X-Cache from supertest responses, and fail naming the request', async () => {
    pages = await createPagesApp(adapter, {});
    const miss = await get('/json');
    expectMiss(miss);
    expect(() => expectHit(miss)).toThrow(AssertionError);
    expect(() => expectHit(miss)).toThrow(
      /expected GET \/json to be a cache HIT \(X-Cache: HIT\), but it was X-Cache: MISS with status 200/,
    );
    const hit = await get('/json');
    expectHit(hit);
    expect(() => expectMiss(hit)).toThrow(/to be a cache MISS .* but it was X-Cache: HIT/);
    expect(pages.data.counters.of('json')).toBe(1);
  });

  test("they read fetch's Headers too, and say when the cache left a response alone", async () => {
    pages = await createPagesApp(adapter, { ignorePaths: ['/json'] });
    const address = pages.server.address() as { port: number };
    await fetch(`http://127.0.0.1:${address.port}/text`);
    expectHit(await fetch(`http://127.0.0.1:${address.port}/text`));
    const ignored = await fetch(`http://127.0.0.1:${address.port}/json`);
    expect(() => expectMiss(ignored)).toThrow(/left alone by the cache \(no X-Cache header\)/);
  });

  test('invalidatedBy() collects what the work invalidated, folded and sorted; every page is "*"', async () => {
    pages = await createPagesApp(adapter, {});
    const cachePage = pages.app.get(CachePageService);
    expect(await invalidatedBy(pages.app, () => cachePage.invalidate(['/Posts/Hello/', '/']))).toEqual([
      '/',
      '/posts/hello',
    ]);
    expect(await invalidatedBy(pages.app, () => cachePage.invalidateAll())).toEqual(['*']);
    expect(await invalidatedBy(pages.app, () => undefined)).toEqual([]);
  });

  test('expectInvalidates() passes on the same pages in any spelling, and lists the difference when not', async () => {
    pages = await createPagesApp(adapter, {});
    const cachePage = pages.app.get(CachePageService);
    await expectInvalidates(pages.app, () => cachePage.invalidate('/posts/hello'), ['/Posts/Hello/']);
    await expect(
      expectInvalidates(pages.app, () => cachePage.invalidate(['/a', '/b']), ['/b', '/c']),
    ).rejects.toThrow(
      /other pages than expected\n {2}expected, not invalidated: \/c\n {2}invalidated, not expected: \/a/,
    );
  });
});
