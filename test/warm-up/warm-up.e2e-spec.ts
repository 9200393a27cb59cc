import { afterEach, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compiledLibrary } from '../support/compiled-library.js';
import { CachePageService, type CachePageModuleOptions } from 'nestjs-cache-page';
import { ADAPTERS } from '../http/fixtures/create-pages-app.js';
import { describeWithService, isReachable, REDIS_URL } from '../support/services.js';
import { keyvRedisStore, memoryStore, uniquePrefix, type StoreSetup } from '../support/stores.js';
import { createGraceApp, NewsData, type GraceApp } from '../grace/fixtures/grace-app.js';
import { eventually, get, sleep, warmedOnceAcrossInstances } from '../grace/fixtures/cross-instance.js';

/*
 * Warm-up through real apps on both adapters, memory and Redis: after a burst of writes each
 * page that was being read is rendered once in the background (through the app's own address),
 * never more than `concurrency` at once, pages nobody read and routes that opted out are left
 * cold; on Redis two instances never warm the same page; `warm(paths)` for deploy scripts.
 */
const redisReachable = await isReachable(REDIS_URL);
const RUNS = [memoryStore, keyvRedisStore].flatMap((store) =>
  ADAPTERS.map((adapter) => ({ adapter, store })),
);
const DELAY_MS = 200;
const run = promisify(execFile);

describe.each(RUNS)('warm-up on $adapter, $store.name', ({ adapter, store }) => {
  describeWithService('Redis', REDIS_URL, !store.needsRedis || redisReachable, store.name, () => {
    let sites: GraceApp[] = [];
    let setups: StoreSetup[] = [];
    afterEach(async () => {
      for (const setup of setups) await setup.cleanup();
      for (const site of sites) await site.app.close();
      [sites, setups] = [[], []];
    });

    async function start(
      options: CachePageModuleOptions,
      keyPrefix = uniquePrefix('warm'),
      data = new NewsData(),
    ) {
      const setup = await store.setup(keyPrefix);
      setups.push(setup);
      const site = await createGraceApp(
        adapter,
        { keyPrefix, ...options, ...setup.options },
        setup.imports,
        false,
        data,
      );
      sites.push(site);
      return site;
    }
    const renders = (site: GraceApp, name: string) => site.data.counters.of(name);

    test('after a burst of writes each page that was read is rendered once, at most `concurrency` at once; unread and opted-out pages stay cold', async () => {
      const site = await start({ warmUp: { concurrency: 2, delay: DELAY_MS } });
      const hot = ['/pages/1', '/pages/2', '/pages/3', '/pages/4', '/pages/5'];
      for (const path of [...hot, '/cold/1']) {
        await get(site, path);
        expect((await get(site, path)).cache).toBe('HIT');
      }
      site.data.renderMs = 100;
      site.data.version = 2;
      const service = site.app.get(CachePageService);
      for (let write = 0; write < 10; write++) {
        await service.invalidate([...hot, '/pages/6', '/cold/1']);
        await sleep(10);
      }
      await eventually(
        () => hot.every((path) => renders(site, `page ${path.slice(7)}`) === 2),
        5_000,
        'warm-up',
      );
      await sleep(DELAY_MS + 300); // nothing more comes
      for (const path of hot) {
        expect(renders(site, `page ${path.slice(7)}`)).toBe(2); // once after the burst
        expect(await get(site, path)).toMatchObject({ cache: 'HIT', text: expect.stringContaining('v2') });
      }
      expect(site.data.mostAtOnce).toBeLessThanOrEqual(2);
      expect(site.data.mostAtOnce).toBe(2); // and the bound was reached, so it was what held
      expect(renders(site, 'page 6')).toBe(0); // never read
      expect(renders(site, 'cold 1')).toBe(1); // @CachePage({ warmUp: false })
      expect(site.app.get(CachePageService).stats().routes['GET /pages/:id']).toMatchObject({ warmed: 5 });
    });

    test('without warmUp nothing is rendered in the background', async () => {
      const site = await start({});
      await get(site, '/pages/1');
      await site.app.get(CachePageService).invalidate('/pages/1');
      await sleep(DELAY_MS + 500);
      expect(renders(site, 'page 1')).toBe(1);
    });

    test('warm(paths): stored, skipped with why, failed with why; the pages are then hits', async () => {
      const site = await start({});
      await get(site, '/pages/2');
      const results = await site.app
        .get(CachePageService)
        .warm(['/pages/1', '/pages/2', '/uncached', '/broken', '/pages/3?page=2']);
      expect(results).toEqual([
        { path: '/pages/1', status: 'stored' },
        { path: '/pages/2', status: 'skipped', reason: 'already cached' },
        { path: '/uncached', status: 'skipped', reason: expect.stringContaining('not cached') },
        { path: '/broken', status: 'failed', reason: 'the app answered 500' },
        { path: '/pages/3?page=2', status: 'stored' },
      ]);
      expect(await get(site, '/pages/1')).toMatchObject({ cache: 'HIT', text: 'page 1 v1 call 1' });
      expect((await get(site, '/pages/3?page=2')).cache).toBe('HIT');
      await expect(site.app.get(CachePageService).warm(['pages/1'])).rejects.toThrow(
        /^CachePageModule: CachePageService.warm\(\) takes paths/,
      );
    });

    if (store.needsRedis) {
      test('warm(paths) from a deploy script (its own process): the pages are then hits on this instance, without a render here', async () => {
        const keyPrefix = uniquePrefix('warm-script');
        const site = await start({}, keyPrefix);
        const script = fileURLToPath(new URL('./fixtures/warm-script.mjs', import.meta.url));
        const { stdout } = await run(process.execPath, [script], {
          env: {
            ...process.env,
            CACHE_PAGE_LIB: await compiledLibrary(),
            ADAPTER: adapter,
            REDIS_URL,
            KEY_PREFIX: keyPrefix,
            WARM_PATHS: JSON.stringify(['/pages/1', '/pages/2']),
            ORIGIN: 'http://127.0.0.1', // the host this instance's visitors use (a loopback host is keyed without its port)
          },
        });
        const results = JSON.parse(/^results (.*)$/m.exec(stdout)![1]!) as unknown;
        expect(results).toEqual([
          { path: '/pages/1', status: 'stored' },
          { path: '/pages/2', status: 'stored' },
        ]);
        for (const id of ['1', '2']) {
          expect(await get(site, `/pages/${id}`)).toMatchObject({
            cache: 'HIT',
            text: `page ${id} rendered by the warm-up script`,
          });
        }
        expect(renders(site, 'page 1') + renders(site, 'page 2')).toBe(0);
      }, 30_000);

      test('two instances: each page is warmed once across both, also a page read only on the instance that did not write', async () => {
        const options = { warmUp: { concurrency: 2, delay: DELAY_MS } };
        await warmedOnceAcrossInstances(
          (keyPrefix, data) => start(options, keyPrefix, data),
          uniquePrefix('warm-two'),
          DELAY_MS,
        );
      });
    }
  });
});
