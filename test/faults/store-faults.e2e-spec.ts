import { afterEach, expect, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import request from 'supertest';
import { CachePageService } from 'nestjs-cache-page';
import { ADAPTERS, createPagesApp, type PagesApp } from '../http/fixtures/create-pages-app.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { canStartRedis, freePort, RedisServer } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';
import { expectNoHit } from '../support/cache-assertions.js';

/*
 * Real faults of a real redis-server (killed, paused, unreachable, restarted from an older RDB
 * snapshot) under two app instances whose @keyv/redis clients keep their default settings.
 * Latency bounds are loose (the exact costs are in `npm run bench`).
 */
const redisStarts = await canStartRedis();
const BOUND_MS = 2_000;

let redis: RedisServer | undefined;
let apps: PagesApp[] = [];

afterEach(async () => {
  redis?.resume();
  // @nestjs/cache-manager closes its stores gracefully on shutdown, which waits for Redis.
  if (redis && !redis.running) await redis.restart();
  await Promise.all(apps.map((pages) => pages.app.close()));
  apps = [];
  await redis?.stop();
  redis = undefined;
});

/** One instance of the fixture app over Redis at `url`, with the client's default settings. */
async function instance(
  adapter: (typeof ADAPTERS)[number],
  url: string,
  keyPrefix: string,
  logs?: CapturedLogs,
) {
  const store = CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(url)] });
  const pages = await createPagesApp(adapter, { keyPrefix }, [store], logs ?? false);
  apps.push(pages);
  return pages;
}

/** Two instances sharing one redis-server of the test's own; both change `value` together, like a shared database. */
async function twoInstances(adapter: (typeof ADAPTERS)[number]) {
  redis = await RedisServer.start();
  const keyPrefix = uniquePrefix('faults');
  const logs = new CapturedLogs();
  // Nest's logger is process-wide: the second app's logger replaces the first's, so both share one.
  const a = await instance(adapter, redis.url, keyPrefix, logs);
  const b = await instance(adapter, redis.url, keyPrefix, logs);
  const setValue = (value: string) => {
    a.data.value = value;
    b.data.value = value;
  };
  return { a, b, logs, keyPrefix, setValue };
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}

const get = (pages: PagesApp, path: string) => request(pages.server).get(path);

/** Requests until a HIT (the first requests may come before the store was checked). */
async function warm(pages: PagesApp, path: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await get(pages, path)).headers['x-cache'] !== 'HIT') {
    if (Date.now() > deadline) throw new Error(`${path} was never cached`);
  }
}

/** Polls until a HIT showing `expected`, failing on any response that shows `stale`. */
async function expectNeverStale(
  pages: PagesApp,
  path: string,
  stale: string,
  expected: string,
  withinMs = 8_000,
) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const response = await get(pages, path);
    expect({ path, stale: response.text.includes(stale) }).toEqual({ path, stale: false });
    if (response.headers['x-cache'] === 'HIT' && response.text.includes(expected)) return;
    if (Date.now() > deadline) throw new Error(`${path} was not cached again within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const adapter of ADAPTERS) {
  describeWithService(
    'redis-server',
    'redis-server on PATH',
    redisStarts,
    `store faults on ${adapter}`,
    () => {
      test('Redis paused: requests and invalidations finish within the bound; the other instance sees the invalidation once Redis answers', async () => {
        const { a, b, logs, setValue } = await twoInstances(adapter);
        await warm(a, '/items/x');
        await warm(b, '/items/x');

        redis!.pause();
        setValue('changed');
        const invalidation = await timed(a.app.get(CachePageService).invalidate('/items/x'));
        expect(invalidation.ms).toBeLessThan(BOUND_MS);
        for (const pages of [a, b, a, b, a, b]) {
          const response = await timed(get(pages, '/items/x'));
          expect(response.ms).toBeLessThan(BOUND_MS);
          expect(response.value.status).toBe(200);
          expect(response.value.text).toContain('value changed');
        }
        const other = await timed(get(a, '/items/other'));
        expect(other.ms).toBeLessThan(BOUND_MS);
        // After the first missed deadline requests no longer wait on the store; the stall
        // watch's pings open the circuit within about a second.
        const stopped = Date.now() + 5_000;
        while (!logs.entries.some((entry) => entry.text.includes('the page store stopped answering'))) {
          if (Date.now() > stopped) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }

        redis!.resume();
        await expectNeverStale(b, '/items/x', 'value v1', 'value changed');
        await expectNeverStale(a, '/items/x', 'value v1', 'value changed');
        const lines = logs.entries.map((entry) => entry.text).join('\n');
        expect(lines).toMatch(
          /the page store stopped answering \(\d+ calls in a row failed or took over 250 ms\)/,
        );
        expect(lines).toMatch(
          /invalidating 1 page epoch\(s\) failed; this process serves none of those pages/,
        );
        expect(lines).toMatch(/the page store answers again after [\d.]+ s/);
        expect(lines).toMatch(
          /a retried invalidation of 1 page epoch\(s\) succeeded|retrying 1 held invalidation/,
        );
      }, 30_000);

      test('Redis killed: requests and invalidations finish within the bound; pages are cached again once it is back', async () => {
        const { a, logs, setValue } = await twoInstances(adapter);
        await warm(a, '/items/x');
        await redis!.kill();
        setValue('after the kill');
        for (let i = 0; i < 5; i++) {
          const response = await timed(get(a, '/items/x'));
          expect(response.ms).toBeLessThan(BOUND_MS);
          expect(response.value.text).toContain('value after the kill');
        }
        expect((await timed(a.app.get(CachePageService).invalidate('/items/x'))).ms).toBeLessThan(BOUND_MS);
        expect(logs.of('error').join('\n')).toMatch(
          /stopped answering \((the connection to the store was lost|the store client reported an error)\)/,
        );

        await redis!.restart();
        await expectNeverStale(a, '/items/x', 'value v1', 'value after the kill', 15_000);
      }, 40_000);

      test('Redis unreachable at a closed port, with @keyv/redis defaults: every request is served uncached within the bound', async () => {
        const port = await freePort();
        const pages = await instance(adapter, `redis://127.0.0.1:${port}`, uniquePrefix('unreachable'));
        for (let i = 1; i <= 6; i++) {
          const response = await timed(get(pages, '/text'));
          expect(response.ms).toBeLessThan(BOUND_MS);
          expect(response.value.status).toBe(200);
          expectNoHit(response.value);
        }
        expect(pages.data.counters.of('text')).toBe(6);
      }, 30_000);

      test('Redis restarted from an older RDB snapshot: no page older than the last invalidation comes back', async () => {
        const { a, b, logs, setValue } = await twoInstances(adapter);
        for (const pages of [a, b]) for (const path of ['/items/one', '/items/two']) await warm(pages, path);
        await redis!.snapshot('before-the-change');

        setValue('v2');
        await a.app.get(CachePageService).invalidate(['/items/one', '/items/two']);
        for (const pages of [a, b]) for (const path of ['/items/one', '/items/two']) await warm(pages, path);

        await redis!.restart('before-the-change');
        for (const pages of [a, b]) {
          for (const path of ['/items/one', '/items/two'])
            await expectNeverStale(pages, path, 'value v1', 'value v2');
        }
        expect(logs.of('warn').join('\n')).toContain(
          "the page store's data was written under another Redis server run",
        );
      }, 40_000);

      test('a corrupt or foreign entry under the current epochs is a miss and is dropped, never a 500', async () => {
        const { a, keyPrefix } = await twoInstances(adapter);
        const origin = 'http://127.0.0.1'; // a loopback host is keyed without its port
        const key = `${keyPrefix}GET:${origin}/items/corrupt`;
        await warm(a, '/items/corrupt');
        const [epoch, globalEpoch] = [
          await redis!.cli('GET', `${keyPrefix}epoch:/items/corrupt`),
          await redis!.cli('GET', `${keyPrefix}epoch`),
        ];
        const good = JSON.parse(await redis!.cli('GET', key)) as Record<string, unknown>;
        const corrupt = [
          { ...good, s: 99 },
          { ...good, h: 'not a list' },
          { ...good, h: [['x-bad', 'line\r\nbreak']] },
          { ...good, h: [['bad name', 'x']] },
          { ...good, d: 'digest-of-nothing' },
          { ...good, v: 1 },
          'not json at all',
        ];
        for (const value of corrupt) {
          const stored =
            typeof value === 'string' ? value : JSON.stringify({ ...value, e: [epoch, globalEpoch] });
          await redis!.cli('SET', key, stored);
          const before = a.data.counters.of('item');
          const response = await get(a, '/items/corrupt');
          expect({ value, status: response.status, cache: response.headers['x-cache'] }).toEqual({
            value,
            status: 200,
            cache: 'MISS',
          });
          expect(a.data.counters.of('item')).toBe(before + 1);
        }
      }, 30_000);
    },
  );
}
