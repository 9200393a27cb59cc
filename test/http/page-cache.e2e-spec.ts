import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import request from 'supertest';
import { CachePageService } from 'nestjs-cache-page';
import { describeWithService, isReachable, REDIS_URL } from '../support/services.js';
import { ALL_STORES, uniquePrefix, type StoreSetup } from '../support/stores.js';
import { Gate } from './fixtures/counters.js';
import { ADAPTERS, createPagesApp, templateRenders, type PagesApp } from './fixtures/create-pages-app.js';
import { expectBypass, expectHit, expectMiss, expectNoHit } from '../support/cache-assertions.js';

const redisReachable = await isReachable(REDIS_URL);

/** Each store on the interceptor path; the memory store and @keyv/redis with the default fast path too. */
const RUNS = [
  ...ALL_STORES.map((store) => ({ store, fastPath: false as const })),
  ...ALL_STORES.slice(0, 2).map((store) => ({ store, fastPath: 'auto' as const })),
];

for (const { store, fastPath } of RUNS) {
  for (const adapter of ADAPTERS) {
    const name = `page cache on ${adapter} with ${store.name}${fastPath ? ', fast path' : ''}`;
    const reachable = store.needsRedis ? redisReachable : true;
    describeWithService('Redis', REDIS_URL, reachable, name, () => {
      let pages: PagesApp;
      let storeSetup: StoreSetup;
      let cachePage: CachePageService;
      const get = (path: string) => request(pages.server).get(path);

      beforeAll(async () => {
        const keyPrefix = uniquePrefix(`${adapter}`);
        storeSetup = await store.setup(keyPrefix);
        pages = await createPagesApp(
          adapter,
          { keyPrefix, bypassCookies: ['sid'], fastPath, ...storeSetup.options },
          storeSetup.imports,
        );
        cachePage = pages.app.get(CachePageService);
      });

      afterEach(() => {
        pages.data.gate?.open();
        pages.data.gate = undefined;
        pages.data.value = 'v1';
      });

      afterAll(async () => {
        await storeSetup?.cleanup();
        await pages?.app.close();
      });

      const calls = (route: string) => pages.data.counters.of(route);

      test('the second GET of a JSON route is a HIT with identical status, type and body', async () => {
        const miss = await get('/json').expect(200);
        const hit = await get('/json').expect(200);
        expectMiss(miss);
        expectHit(hit);
        expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
        expect(hit.text).toBe(miss.text);
        expect(calls('json')).toBe(1);
      });

      test('text routes keep their @Header content type on a hit', async () => {
        const miss = await get('/text').expect(200);
        const hit = await get('/text').expect(200);
        expectHit(hit);
        expect(hit.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(hit.text).toBe(miss.text);
        expect(calls('text')).toBe(1);
      });

      test('a @Render hit neither runs the handler nor renders the template', async () => {
        const rendersBefore = templateRenders.of('page');
        const miss = await get('/html').expect(200);
        const hit = await get('/html').expect(200);
        expectHit(hit);
        expect(hit.headers['content-type']).toMatch(/^text\/html/);
        expect(hit.text).toBe(miss.text);
        expect(hit.text).toContain('<h1>html call 1</h1>');
        expect(calls('html')).toBe(1);
        expect(templateRenders.of('page') - rendersBefore).toBe(1);
      });

      test('@Res({ passthrough: true }) routes are cached with the headers the handler set', async () => {
        const miss = await get('/passthrough').expect(200);
        const hit = await get('/passthrough').expect(200);
        expectHit(hit);
        expect(hit.headers['x-page-kind']).toBe('passthrough');
        expect(hit.text).toBe(miss.text);
        expect(calls('passthrough')).toBe(1);
      });

      test('@Res() routes are cached and replayed without the handler', async () => {
        const miss = await get('/manual').expect(200);
        const hit = await get('/manual').expect(200);
        expectHit(hit);
        expect(hit.headers['content-type']).toMatch(/^text\/html/);
        expect(hit.text).toBe(miss.text);
        expect(calls('manual')).toBe(1);
      });

      test('HEAD is answered from the GET entry, without a body and without the handler', async () => {
        await get('/text').expect(200);
        const head = await request(pages.server).head('/text').expect(200);
        expectHit(head);
        expect(head.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(head.text ?? '').toBe('');
        expect(calls('text')).toBe(1);
      });

      test('HEAD on an uncached page runs the handler and stores nothing', async () => {
        await request(pages.server).head('/items/head-first').expect(200);
        const get1 = await get('/items/head-first').expect(200);
        expectMiss(get1);
      });

      test('a hit carries an ETag and answers a matching If-None-Match with 304', async () => {
        await get('/items/etag').expect(200);
        const hit = await get('/items/etag').expect(200);
        const etag = hit.headers['etag'];
        expect(etag).toMatch(/^W\/".+"$/);
        const revalidated = await get('/items/etag').set('If-None-Match', etag).expect(304);
        expect(revalidated.text ?? '').toBe('');
        const changed = await get('/items/etag').set('If-None-Match', 'W/"0-other"').expect(200);
        expect(changed.text).toBe(hit.text);
      });

      test.each([
        ['responses with Set-Cookie', '/cookie', 'cookie'],
        ['Cache-Control: private', '/private', 'private'],
        ['Cache-Control: no-store', '/no-store', 'no-store'],
        ['non-200 responses (404)', '/missing', 'missing'],
        ['non-200 2xx responses (203)', '/accepted', 'accepted'],
        ['StreamableFile responses', '/file', 'file'],
        ['ignored paths', '/admin/dashboard', 'admin'],
        ['@NoCachePage() routes', '/skip', 'skip'],
      ])('never cached: %s', async (_case, path, route) => {
        const first = await get(path);
        const second = await get(path);
        expectNoHit(second);
        expect(second.status).toBe(first.status);
        expect(calls(route)).toBe(2);
      });

      test('never cached: SSE streams', async () => {
        await get('/events').expect(200);
        const second = await get('/events').expect(200);
        expectBypass(second);
        expect(second.text).toContain('data:');
        expect(calls('events')).toBe(2);
      });

      test('never cached: non-GET methods', async () => {
        await request(pages.server).post('/json').expect(201);
        const second = await request(pages.server).post('/json').expect(201);
        expectBypass(second);
        expect(calls('post')).toBe(2);
      });

      test('never served or stored: requests with Authorization', async () => {
        const before = calls('json');
        const withAuth = await get('/json').set('Authorization', 'Bearer x').expect(200);
        expectBypass(withAuth);
        expect(calls('json')).toBe(before + 1);
        await get('/items/auth').set('Authorization', 'Bearer x').expect(200);
        expectMiss(await get('/items/auth'));
      });

      test('never served or stored: requests carrying a bypass cookie', async () => {
        await get('/items/cookie').expect(200);
        const withSession = await get('/items/cookie').set('Cookie', 'theme=dark; sid=42').expect(200);
        expectBypass(withSession);
        const otherCookie = await get('/items/cookie').set('Cookie', 'theme=dark').expect(200);
        expectHit(otherCookie);
      });

      test('query variants are cached apart, keyed by sorted query, and invalidated with their path', async () => {
        const a = await get('/search?q=a&page=1').expect(200);
        const b = await get('/search?q=b').expect(200);
        expect(a.text).not.toBe(b.text);
        const reordered = await get('/search?page=1&q=a').expect(200);
        expectHit(reordered);
        expect(reordered.text).toBe(a.text);
        expectHit(await get('/search?q=b'));

        pages.data.value = 'v-search';
        await cachePage.invalidate('/search');
        const freshA = await get('/search?page=1&q=a').expect(200);
        const freshB = await get('/search?q=b').expect(200);
        expectMiss(freshA);
        expectMiss(freshB);
        expect(freshA.text).toContain('value v-search');
        pages.data.value = 'v1';
      });

      test('aliases of a path (trailing slash, case, percent-encoding) are all invalidated with it', async () => {
        const aliases = [
          '/items/caf%C3%A9',
          '/items/caf%C3%A9/',
          '/ITEMS/caf%C3%A9',
          '/items/caf%c3%a9',
          '//items/caf%C3%A9',
        ];
        const served: string[] = [];
        for (const url of aliases) {
          const first = await get(url);
          if (first.status !== 200) continue; // this adapter does not route the alias: nothing cached
          expectHit(await get(url));
          served.push(url);
        }
        expect(served.length).toBeGreaterThanOrEqual(2);

        await cachePage.invalidate('/items/café');
        for (const url of served) {
          expect({ url, cache: (await get(url)).headers['x-cache'] }).toEqual({ url, cache: 'MISS' });
        }
      });

      test('malformed percent-encoding and very long URLs never cause a 500', async () => {
        const malformed = await get('/items/%E0%A4%A');
        expect(malformed.status).toBeLessThan(500);
        const longUrl = `/items/long-url?q=${'y'.repeat(6_000)}`;
        const miss = await get(longUrl).expect(200);
        const hit = await get(longUrl).expect(200);
        expectMiss(miss);
        expectHit(hit);
        await cachePage.invalidate('/items/long-url');
        expectMiss(await get(longUrl));
      });

      test('invalidate() makes the next request a MISS with fresh content; others stay HIT', async () => {
        await get('/items/one');
        await get('/items/two');
        pages.data.value = 'v2';
        await cachePage.invalidate(['/items/one']);
        const one = await get('/items/one');
        const two = await get('/items/two');
        expectMiss(one);
        expect(one.text).toContain('value v2');
        expectHit(two);
        expect(two.text).toContain('value v1');
        pages.data.value = 'v1';
      });

      test('invalidateAll() makes every page a MISS', async () => {
        await get('/items/all-1');
        await get('/text');
        expectHit(await get('/items/all-1'));
        await cachePage.invalidateAll();
        expectMiss(await get('/items/all-1'));
        expectMiss(await get('/text'));
        expectHit(await get('/items/all-1'));
      });

      test('a render that began before an invalidation is never served after it', async () => {
        pages.data.value = 'old';
        pages.data.gate = new Gate();
        const slowCalls = calls('slow');
        const inFlight = get('/slow').then((response) => response);
        await waitFor(() => calls('slow') === slowCalls + 1);

        pages.data.value = 'new';
        await cachePage.invalidate('/slow');
        pages.data.gate.open();
        const stale = await inFlight;
        expect(stale.text).toContain('value old');

        pages.data.gate = undefined;
        const next = await get('/slow');
        expectMiss(next);
        expect(next.text).toContain('value new');
        const after = await get('/slow');
        expectHit(after);
        expect(after.text).toBe(next.text);
        pages.data.value = 'v1';
      });

      test('concurrent misses of one page run the handler once (single-flight)', async () => {
        await cachePage.invalidate('/slow');
        pages.data.gate = new Gate();
        const before = calls('slow');
        const responses = Promise.all(Array.from({ length: 5 }, () => get('/slow')));
        await waitFor(() => calls('slow') >= before + 1);
        await sleep(100); // lets the other four requests reach the cache and join the render
        pages.data.gate.open();
        const bodies = (await responses).map((response) => response.text);
        expect(new Set(bodies).size).toBe(1);
        expect(calls('slow')).toBe(before + 1);
        pages.data.gate = undefined;
      });

      test('a request arriving after an invalidation never joins a render that began before it', async () => {
        await cachePage.invalidate('/slow');
        pages.data.value = 'before';
        pages.data.gate = new Gate();
        const before = calls('slow');
        const early = get('/slow').then((response) => response);
        await waitFor(() => calls('slow') === before + 1);

        pages.data.value = 'after';
        await cachePage.invalidate('/slow');
        const lateGate = pages.data.gate;
        const late = get('/slow').then((response) => response);
        await waitFor(() => calls('slow') === before + 2);
        lateGate.open();
        expect((await early).text).toContain('value before');
        expect((await late).text).toContain('value after');
        pages.data.gate = undefined;
        pages.data.value = 'v1';
      });

      test('a per-route ttl expires the page; the module default keeps pages forever', async () => {
        await get('/short-lived');
        expectHit(await get('/short-lived'));
        await sleep(120);
        expectMiss(await get('/short-lived'));
        expect(calls('short-lived')).toBe(2);
      });
    });
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
