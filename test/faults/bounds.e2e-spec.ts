import { afterEach, expect, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import request from 'supertest';
import { CachePageService } from 'nestjs-cache-page';
import { PageStore } from '../../lib/store/page-store.js';
import { ADAPTERS, createPagesApp, type PagesApp } from '../http/fixtures/create-pages-app.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { canStartRedis, RedisServer } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { expectHit, expectMiss } from '../support/cache-assertions.js';

/*
 * Every store structure is bounded: query variants and epochs are reclaimed on Redis, the memory
 * store is bounded by bytes as well as keys, and an invalidation batch of any size costs one
 * pass, never a loop.
 */
const redisStarts = await canStartRedis();

let redis: RedisServer | undefined;
let pages: PagesApp | undefined;

afterEach(async () => {
  await pages?.app.close();
  pages = undefined;
  await redis?.stop();
  redis = undefined;
});

const get = (path: string) => request(pages!.server).get(path);
const PTTL_OF_EVERY_KEY = `local lines = {}
for _, key in ipairs(redis.call('KEYS', ARGV[1])) do lines[#lines + 1] = key .. '=' .. redis.call('PTTL', key) end
return lines`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function warm(path: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await get(path)).headers['x-cache'] !== 'HIT') {
    if (Date.now() > deadline) throw new Error(`${path} was never cached`);
  }
}

/** The bytes of page bodies this process holds (the page store's own accounting). */
const heldBodyBytes = (app: PagesApp) =>
  (app.app.get(PageStore) as unknown as { bodies: { bytes: number } }).bodies.bytes;

for (const adapter of ADAPTERS) {
  describeWithService(
    'redis-server',
    'redis-server on PATH',
    redisStarts,
    `bounded stores on ${adapter}`,
    () => {
      test('Redis: invalidated query variants and their epochs are reclaimed; a page requested all along stays cached', async () => {
        redis = await RedisServer.start();
        const store = CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(redis.url)] });
        pages = await createPagesApp(adapter, { keyPrefix: 'bounds:', reclaimAfter: 3_000 }, [store]);
        for (let i = 0; i < 50; i++) await get(`/search?q=${i}`);
        expect(Number(await redis.cli('DBSIZE'))).toBeGreaterThanOrEqual(50);
        // Every key but the server marker expires (PTTL -1 means no expiry).
        const ttls = await redis.cli('EVAL', PTTL_OF_EVERY_KEY, '0', 'bounds:*');
        expect(ttls.split('\n').filter((line) => line.endsWith('=-1'))).toEqual(['bounds:server=-1']);

        await pages.app.get(CachePageService).invalidate('/search');
        await warm('/items/hot');
        // /items/hot keeps being requested; nothing else is, so everything else expires.
        const deadline = Date.now() + 7_000;
        while (Date.now() < deadline) {
          expectHit(await get('/items/hot'));
          await sleep(100);
        }
        const left = (await redis.cli('KEYS', 'bounds:*')).split('\n').filter(Boolean);
        expect(left.some((key) => key.includes('/search'))).toBe(false);
        expect(
          left.filter((key) => !key.includes('/items/hot') && !key.startsWith('bounds:body:')).sort(),
        ).toEqual(['bounds:epoch', 'bounds:server']);
        expect(left.length).toBeLessThanOrEqual(5);
      }, 30_000);

      test('Redis: a hit is one MGET of a few hundred bytes; the body is fetched once per process', async () => {
        redis = await RedisServer.start();
        const store = CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(redis.url)] });
        pages = await createPagesApp(adapter, { keyPrefix: 'bounds:' }, [store]);
        await warm('/big/hit-cost?kib=20');
        await redis.cli('CONFIG', 'RESETSTAT');
        for (let i = 0; i < 20; i++) expectHit(await get('/big/hit-cost?kib=20'));
        const stats = await redis.cli('INFO', 'commandstats');
        const calls = (command: string) =>
          Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
        expect(calls('mget')).toBe(20);
        expect(calls('get')).toBe(0);
        const sent = Number(/total_net_output_bytes:(\d+)/.exec(await redis.cli('INFO', 'stats'))?.[1]);
        expect(sent / 20).toBeLessThan(2_000); // the 20 KiB body never travels
      }, 30_000);

      test('Redis: epochs of pages never stored (a 404) expire within minutes', async () => {
        redis = await RedisServer.start();
        const store = CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(redis.url)] });
        pages = await createPagesApp(adapter, { keyPrefix: 'bounds:' }, [store]);
        await get('/missing').expect(404);
        const ttl = Number(await redis.cli('PTTL', 'bounds:epoch:/missing'));
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(5 * 60_000);
      }, 30_000);

      test('Redis: an invalidation of 100,001 paths is one write of the global epoch, not a loop', async () => {
        redis = await RedisServer.start();
        const logs = new CapturedLogs();
        const store = CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(redis.url)] });
        pages = await createPagesApp(adapter, { keyPrefix: 'bounds:' }, [store], logs);
        await warm('/items/x');
        const paths = Array.from({ length: 100_001 }, (_, i) => `/items/p${i}`);
        const started = Date.now();
        await pages.app.get(CachePageService).invalidate(paths);
        expect(Date.now() - started).toBeLessThan(5_000);
        expectMiss(await get('/items/x'));
        await warm('/items/x');
        expect(logs.of('warn').join('\n')).toContain('every page is invalidated instead, with one write');
        expect(logs.of('error')).toEqual([]);
      }, 30_000);
    },
  );

  test(`memory store on ${adapter}: 300 pages of 1 MiB stay within maxBytes (default 128 MiB), oldest out first`, async () => {
    pages = await createPagesApp(adapter, {});
    for (let i = 0; i < 300; i++) await get(`/big/${i}`).expect(200);
    expect(heldBodyBytes(pages)).toBeLessThanOrEqual(128 * 1024 * 1024);
    expect(heldBodyBytes(pages)).toBeGreaterThan(100 * 1024 * 1024);
    expectHit(await get('/big/299'));
    expectMiss(await get('/big/0'));
  }, 60_000);

  test(`memory store on ${adapter}: an invalidation of 100,001 paths is one pass that evicts nothing`, async () => {
    const logs = new CapturedLogs();
    pages = await createPagesApp(adapter, {}, [], logs);
    await warm('/items/kept');
    await warm('/items/p7');
    const paths = Array.from({ length: 100_001 }, (_, i) => `/items/p${i}`);
    const started = Date.now();
    await pages.app.get(CachePageService).invalidate(paths);
    expect(Date.now() - started).toBeLessThan(5_000);
    expectHit(await get('/items/kept'));
    expectMiss(await get('/items/p7'));
    expect(logs.of('error')).toEqual([]);
  }, 30_000);
}
