import { afterEach, describe, expect, test } from '@jest/globals';
import { CachePageService } from 'nestjs-cache-page';
import { ADAPTERS } from '../http/fixtures/create-pages-app.js';
import { Gate } from '../http/fixtures/counters.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { describeWithService, isReachable, REDIS_URL } from '../support/services.js';
import { keyvRedisStore, memoryStore, uniquePrefix, type StoreSetup } from '../support/stores.js';
import {
  createGraceApp,
  IF_ERROR_MS,
  NewsData,
  WHILE_REVALIDATE_MS,
  type GraceApp,
} from './fixtures/grace-app.js';
import { eventually, get, oneRefreshAcrossInstances, sleep, warm } from './fixtures/cross-instance.js';

/*
 * Grace (`staleWhileRevalidate`, `staleIfError`) through real apps on both adapters, on the
 * memory store and on Redis: a STALE answer only after an invalidation and only within its
 * bound, while one render refreshes the page; never to the visitor who wrote; a refresh that
 * throws keeps the old page only within `staleIfError`; personal pages and pages with
 * fragments never STALE.
 */
const redisReachable = await isReachable(REDIS_URL);
const RUNS = [memoryStore, keyvRedisStore].flatMap((store) =>
  ADAPTERS.map((adapter) => ({ adapter, store })),
);
describe.each(RUNS)('grace on $adapter, $store.name', ({ adapter, store }) => {
  describeWithService('Redis', REDIS_URL, !store.needsRedis || redisReachable, store.name, () => {
    let sites: GraceApp[] = [];
    let setups: StoreSetup[] = [];
    afterEach(async () => {
      for (const site of sites) site.data.gate?.open();
      for (const setup of setups) await setup.cleanup();
      for (const site of sites) await site.app.close();
      sites = [];
      setups = [];
    });

    async function start(keyPrefix = uniquePrefix('grace'), data = new NewsData(), logs?: CapturedLogs) {
      const setup = await store.setup(keyPrefix);
      setups.push(setup);
      const site = await createGraceApp(
        adapter,
        { keyPrefix, ...setup.options },
        setup.imports,
        logs ?? false,
        data,
      );
      sites.push(site);
      return site;
    }

    const invalidate = (site: GraceApp, ...paths: string[]) =>
      site.app.get(CachePageService).invalidate(paths);

    test('never STALE before an invalidation; after one, STALE at once while one render refreshes the page in the background, then the new page', async () => {
      const site = await start();
      await warm(site, '/news');
      for (let i = 0; i < 5; i++) expect((await get(site, '/news')).cache).toBe('HIT');

      site.data.version = 2;
      await invalidate(site, '/news');
      site.data.gate = new Gate(); // the refresh is held mid-render
      const during = [
        await get(site, '/news'),
        ...(await Promise.all([1, 2, 3].map(() => get(site, '/news')))),
      ];
      for (const answer of during) {
        expect(answer).toMatchObject({ status: 200, cache: 'STALE' });
        expect(answer.text).toContain('news v1');
      }
      await eventually(() => site.data.counters.of('news') === 2, 2_000, 'the refresh');
      site.data.gate.open();
      await eventually(async () => (await get(site, '/news')).cache === 'HIT', 2_000, 'the refreshed page');
      expect(await get(site, '/news')).toMatchObject({ cache: 'HIT', text: 'news v2 call 2' });
      expect(site.data.counters.of('news')).toBe(2); // one render for the refresh, none for the STALE answers
      const stats = site.app.get(CachePageService).stats().routes['GET /news'];
      expect(stats).toMatchObject({ stale: 4 });
    });

    test('a HEAD within the window gets STALE and starts the one refresh: the next GET is the new page', async () => {
      const site = await start();
      await warm(site, '/news');
      site.data.version = 2;
      await invalidate(site, '/news');
      const head = await fetch(`${site.url}/news`, { method: 'HEAD' });
      expect([head.status, head.headers.get('x-cache')]).toEqual([200, 'STALE']);
      await eventually(() => site.data.counters.of('news') === 2, 2_000, 'the refresh a HEAD started');
      await eventually(async () => (await get(site, '/news')).cache === 'HIT', 2_000, 'the refreshed page');
      expect(await get(site, '/news')).toMatchObject({ cache: 'HIT', text: 'news v2 call 2' });
      expect(site.data.counters.of('news')).toBe(2);
    });

    test('each change gets its own refresh: a second invalidation soon after the first is refreshed too', async () => {
      const site = await start();
      await warm(site, '/news');
      for (const version of [2, 3]) {
        site.data.version = version;
        await invalidate(site, '/news');
        expect((await get(site, '/news')).cache).toBe('STALE');
        await eventually(
          async () => (await get(site, '/news')).text.startsWith(`news v${version}`),
          1_000,
          `the refresh to v${version}`,
        );
      }
      expect(site.data.counters.of('news')).toBe(3);
    });

    test('a route without grace is never STALE: the next reader waits for the new page', async () => {
      const site = await start();
      await warm(site, '/plain');
      site.data.version = 2;
      await invalidate(site, '/plain');
      site.data.gate = new Gate();
      const first = get(site, '/plain');
      await sleep(50);
      const second = get(site, '/plain');
      await sleep(50);
      site.data.gate.open();
      for (const answer of await Promise.all([first, second])) {
        expect(answer.cache).not.toBe('STALE');
        expect(answer.text).toContain('plain v2');
      }
    });

    test('past staleWhileRevalidate the reader renders again; a failing render keeps the old page only within staleIfError', async () => {
      const logs = new CapturedLogs();
      const site = await start(undefined, undefined, logs);
      await warm(site, '/news');
      site.data.version = 2;
      site.data.failing = true;
      const invalidatedAt = Date.now();
      await invalidate(site, '/news');

      // Within both windows: the refresh fails in the background, readers get the old page.
      const first = await get(site, '/news');
      expect(first).toMatchObject({ status: 200, cache: 'STALE' });
      expect(first.text).toContain('news v1');
      await eventually(() => site.data.counters.of('news') === 2, 2_000, 'the refresh');
      await sleep(100);
      expect(await get(site, '/news')).toMatchObject({ status: 200, cache: 'STALE' });
      expect(site.data.counters.of('news')).toBe(2); // the refresh was claimed: no second render yet

      // Past staleWhileRevalidate, within staleIfError: every reader renders, fails, gets the old page.
      await sleep(WHILE_REVALIDATE_MS - (Date.now() - invalidatedAt) + 100);
      const failing = await get(site, '/news');
      expect(failing).toMatchObject({ status: 200, cache: 'STALE' });
      expect(failing.text).toContain('news v1');
      expect(site.data.counters.of('news')).toBe(3);
      expect(logs.of('error').join('\n')).toContain('staleIfError');

      // Past staleIfError: the error.
      await sleep(IF_ERROR_MS - (Date.now() - invalidatedAt) + 100);
      expect((await get(site, '/news')).status).toBe(500);

      site.data.failing = false;
      expect(await get(site, '/news')).toMatchObject({ status: 200, cache: 'MISS' });
      expect((await get(site, '/news')).text).toContain('news v2');
    }, 15_000);

    test('the writer’s own next read is fresh (its write’s response set a cookie), while others still get STALE', async () => {
      const site = await start();
      await warm(site, '/news');
      const write = await fetch(`${site.url}/news`, { method: 'POST' });
      expect(write.status).toBe(201);
      const cookie = write.headers.get('set-cookie');
      expect(cookie).toMatch(/^cache-page-wrote=1; Max-Age=4; Path=\/; HttpOnly; SameSite=Lax/);

      site.data.gate = new Gate();
      expect((await get(site, '/news')).cache).toBe('STALE'); // another reader: the refresh starts, held
      expect((await get(site, '/news')).cache).toBe('STALE');
      const writer = get(site, '/news', cookie!.split(';')[0]);
      await sleep(50);
      site.data.gate.open();
      const own = await writer;
      expect(own.cache).not.toBe('STALE');
      expect(own.text).toContain('news v2');
    });

    test('a GET never sets the cookie', async () => {
      const site = await start();
      const read = await get(site, '/news');
      expect(read.setCookie).toBeNull();
    });

    test('pages with fragments and personal pages are never STALE', async () => {
      const site = await start();
      await warm(site, '/greeting');
      expect((await get(site, '/personal', 'visitor=bob')).cache).toBe('MISS'); // personal: not stored
      site.data.version = 2;
      await invalidate(site, '/greeting', '/personal');
      site.data.gate = new Gate();
      const answers = [get(site, '/greeting'), get(site, '/personal', 'visitor=bob')];
      await sleep(50);
      answers.push(get(site, '/greeting'), get(site, '/personal', 'visitor=bob'));
      await sleep(50);
      site.data.gate.open();
      for (const answer of await Promise.all(answers)) {
        expect(answer.cache).not.toBe('STALE');
        expect(answer.text).toContain('v2');
      }
    });

    if (store.needsRedis) {
      test('two instances: one refresh across both, the other instance serves STALE meanwhile', async () => {
        await oneRefreshAcrossInstances(
          (keyPrefix, data) => start(keyPrefix, data),
          uniquePrefix('grace-two'),
        );
      });
    }
  });
});
