import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis, { createCluster } from '@keyv/redis';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { CachePageService } from 'nestjs-cache-page';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { RedisClusterBackend } from '../../lib/store/backends/redis-cluster-backend.js';
import { findRedisCluster } from '../../lib/store/backends/redis-cluster-client.js';
import { bucketTag } from '../../lib/store/page-key.js';
import { BlogInstance } from '../faults/fixtures/blog-instance.js';
import { ADAPTERS, createPagesApp, type PagesApp } from '../http/fixtures/create-pages-app.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { compiledLibrary } from '../support/compiled-library.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { canStartRedis } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';

/*
 * A real Redis Cluster of the suite's own (three masters, `redis-server --cluster-enabled yes`)
 * under app instances whose @keyv/redis cluster clients keep their default settings: pages,
 * invalidation across instances, one round trip per hit, leases of a writer killed in its commit
 * window, and a master restarted from an older RDB snapshot.
 */
const redisStarts = await canStartRedis();
const MASTERS = 3;
const BUCKETS = 16;
const ORIGIN = 'http://127.0.0.1'; // a loopback host is keyed without its port

let cluster: RedisCluster | undefined;
let apps: PagesApp[] = [];

/** One instance of the fixture app over the cluster, with the client's default settings. */
async function instance(adapter: (typeof ADAPTERS)[number], keyPrefix: string, logs?: CapturedLogs) {
  const client = createCluster({ rootNodes: cluster!.rootNodes });
  const store = CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(client)] });
  const pages = await createPagesApp(adapter, { keyPrefix }, [store], logs ?? false);
  apps.push(pages);
  return pages;
}

/** Two instances on the cluster; both change `value` together, like a shared database. */
async function twoInstances(adapter: (typeof ADAPTERS)[number]) {
  const keyPrefix = uniquePrefix('cluster');
  const logs = new CapturedLogs();
  const a = await instance(adapter, keyPrefix, logs);
  const b = await instance(adapter, keyPrefix, logs);
  const setValue = (value: string) => {
    a.data.value = value;
    b.data.value = value;
  };
  return { a, b, logs, keyPrefix, setValue };
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
  withinMs = 10_000,
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

/** The value at `key`, asked of the node that serves it. */
async function valueAt(key: string): Promise<string> {
  return (await cluster!.nodeOf(key)).cli('GET', key);
}

describeWithService('redis-server', 'redis-server on PATH', redisStarts, 'a Redis Cluster store', () => {
  beforeAll(async () => {
    cluster = await RedisCluster.start(MASTERS);
  }, 60_000);

  afterEach(async () => {
    for (const node of cluster?.nodes ?? []) node.resume();
    await Promise.all(apps.map((pages) => pages.app.close()));
    apps = [];
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  for (const adapter of ADAPTERS) {
    describe(adapter, () => {
      test('pages are cached and invalidated across two instances, their keys in their bucket’s slot', async () => {
        const { a, b, keyPrefix, setValue } = await twoInstances(adapter);
        setValue('v1');
        for (const pages of [a, b]) for (const path of ['/items/one', '/items/two']) await warm(pages, path);
        expect(a.data.counters.of('item') + b.data.counters.of('item')).toBe(2); // one render per page

        const tag = bucketTag('/items/one', BUCKETS);
        expect(tag).toMatch(/^\{b\d+\}$/);
        expect(await valueAt(`${keyPrefix}${tag}epoch:/items/one`)).not.toBe('');
        expect(await valueAt(`${keyPrefix}${tag}GET:${ORIGIN}/items/one`)).toContain('"e":');
        expect(await valueAt(`${keyPrefix}${tag}epoch`)).not.toBe('');

        setValue('v2');
        await a.app.get(CachePageService).invalidate('/items/one');
        const [fromB, stillCached] = [await get(b, '/items/one'), await get(b, '/items/two')];
        expect(fromB.headers['x-cache']).toBe('MISS');
        expect(fromB.text).toContain('value v2');
        expect(stillCached.headers['x-cache']).toBe('HIT');
        expect(stillCached.text).toContain('value v1');

        await b.app.get(CachePageService).invalidateAll();
        for (let bucket = 0; bucket < BUCKETS; bucket++) {
          expect(await valueAt(`${keyPrefix}{b${bucket}}epoch`)).not.toBe(''); // one copy per bucket
        }
        for (const path of ['/items/one', '/items/two']) {
          const response = await get(a, path);
          expect(response.headers['x-cache']).toBe('MISS');
          expect(response.text).toContain('value v2');
          await warm(b, path);
        }
      }, 30_000);

      test('a hit is one round trip: one MGET, in one slot', async () => {
        const { a, b, keyPrefix } = await twoInstances(adapter);
        const paths = ['/items/one', '/items/two', '/items/three', '/items/four'];
        for (const path of paths) await warm(a, path);
        for (const path of paths) await warm(b, path);
        await cluster!.recordCommands();
        for (let i = 0; i < 5; i++) {
          for (const path of paths) expect((await get(i % 2 ? a : b, path)).headers['x-cache']).toBe('HIT');
        }
        // Each instance's restore check also reads its marker (`<prefix>server`) every 2 s.
        const ofThisTest = (await cluster!.recordedCommands()).filter(
          (args) => args.some((arg) => arg.startsWith(keyPrefix)) && args[1] !== `${keyPrefix}server`,
        );
        expect(ofThisTest).toHaveLength(20);
        for (const [command, ...keys] of ofThisTest) {
          expect(command?.toUpperCase()).toBe('MGET');
          // The entry, the path's epoch and the bucket's copy of the global epoch: one hash tag.
          expect(keys).toHaveLength(3);
          const tags = new Set(keys.map((key) => /^[^{]*(\{b\d+\})/.exec(key)?.[1]));
          expect([...tags]).toEqual([expect.stringMatching(/^\{b\d+\}$/)]);
        }
      }, 30_000);

      test('a master restarted from an older RDB snapshot: no page older than the last invalidation comes back', async () => {
        const { a, b, keyPrefix, logs, setValue } = await twoInstances(adapter);
        setValue('v1');
        const paths = ['/items/one', '/items/two', '/items/three'];
        for (const pages of [a, b]) for (const path of paths) await warm(pages, path);
        const master = await cluster!.nodeOf(
          `${keyPrefix}${bucketTag('/items/one', BUCKETS)}epoch:/items/one`,
        );
        await master.snapshot('before-the-change');

        setValue('v2');
        await a.app.get(CachePageService).invalidate(paths);
        for (const pages of [a, b]) for (const path of paths) await warm(pages, path);

        await master.restart('before-the-change');
        await cluster!.waitUntilOk();
        for (const pages of [a, b])
          for (const path of paths) await expectNeverStale(pages, path, 'value v1', 'value v2');
        expect(logs.of('warn').join('\n')).toContain(
          "the page store's data was written under another Redis server run",
        );
      }, 60_000);

      test('a keyPrefix with a hash tag brace is refused with the fix', async () => {
        await expect(instance(adapter, 'cache{page}:')).rejects.toThrow(
          /^CachePageModule: option "keyPrefix" "cache\{page\}:" contains "\{" or "\}"/,
        );
      });
    });
  }

  test('a client still discovering the slots (its connect started elsewhere) is waited for: the run ids are read, not "no master"', async () => {
    const keyv = new KeyvRedis({ rootNodes: cluster!.rootNodes });
    const found = findRedisCluster(createCache({ stores: [new Keyv({ store: keyv })] }))!;
    const connecting = keyv.getClient(); // as @keyv/redis's first use does: open at once, slots later
    expect(found.client.masters).toHaveLength(0);
    const backend = new RedisClusterBackend(found, uniquePrefix('cluster-discovery'));
    try {
      expect((await backend.runId()).split(',')).toHaveLength(MASTERS);
    } finally {
      await connecting;
      backend.dispose();
      await keyv.disconnect();
    }
  });

  describe('a writer process killed right after its COMMIT', () => {
    let instances: BlogInstance[] = [];
    let sqliteDir: string | undefined;

    afterEach(async () => {
      await Promise.all(instances.map((blog) => blog.kill()));
      instances = [];
      if (sqliteDir) await rm(sqliteDir, { recursive: true, force: true });
    });

    test('the other instance never serves the old page, and caches it again within seconds', async () => {
      sqliteDir = await mkdtemp(join(tmpdir(), 'cache-page-cluster-crash-'));
      const env = {
        CACHE_PAGE_LIB: await compiledLibrary(),
        REDIS_CLUSTER: cluster!.rootNodes.map((node) => node.url).join(','),
        DB_KIND: 'sqlite',
        DB_URL: join(sqliteDir, 'blog.sqlite'),
        KEY_PREFIX: `crash-${randomBytes(4).toString('hex')}:`,
      };
      const reader = await BlogInstance.start({ ...env, ADAPTER: 'express', CREATE_SCHEMA: '1' });
      instances.push(reader);
      for (const path of ['/posts/hello', '/posts/other', '/']) {
        const deadline = Date.now() + 5_000;
        while ((await reader.get(path)).cache !== 'HIT') {
          if (Date.now() > deadline) throw new Error(`${path} was never cached`);
        }
      }
      const writer = await BlogInstance.start({ ...env, ADAPTER: 'fastify', KILL_AT: 'commit' });
      instances.push(writer);
      writer.writeAndForget('hello', 'Second title', 'flush');
      expect(await writer.exited).toBeNull(); // killed by its own SIGKILL, after the commit
      expect(await reader.fromDatabase('/posts/hello')).toBe('Post Second title');

      for (const path of ['/posts/hello', '/']) {
        const hits: string[] = [];
        const deadline = Date.now() + 8_000;
        for (;;) {
          const response = await reader.get(path);
          expect({ path, stale: response.text.includes('First title') }).toEqual({ path, stale: false });
          if (response.cache === 'HIT') hits.push(response.text);
          if (response.cache === 'HIT' && response.text.includes('Second title')) break;
          if (Date.now() > deadline) throw new Error(`${path} was not cached again within 8 s`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(hits).toHaveLength(1); // uncached while the dead writer's lease lasted
      }
      expect((await reader.get('/posts/other')).cache).toBe('HIT');
    }, 40_000);
  });
});
