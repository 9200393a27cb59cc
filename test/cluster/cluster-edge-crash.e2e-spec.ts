import { afterEach, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlogInstance } from '../faults/fixtures/blog-instance.js';
import { compiledLibrary } from '../support/compiled-library.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { canStartRedis, freePort } from '../support/redis-server.js';
import { describeIfAvailable } from '../support/services.js';
import { availability, startVarnish, type VarnishServer } from '../support/varnish-server.js';

/*
 * On a Redis Cluster too, the purge intent is recorded before the commit: a writer process
 * `kill -9`ed right after its commit never purges Varnish itself, and the other instance, seeing
 * the intent's writer dead, sends the purge. Real processes, one SQLite file, a Redis Cluster
 * (three masters) and a varnishd of the test's own.
 */
const missing = availability() ?? ((await canStartRedis()) ? undefined : 'redis-server not on PATH');
/** The writer's liveness (3 s), the sweep (1 s) and slack. */
const PURGED_WITHIN_MS = 8_000;

let cluster: RedisCluster | undefined;
let varnish: VarnishServer | undefined;
let instances: BlogInstance[] = [];
let dir: string | undefined;

afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  instances = [];
  await varnish?.stop();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  [varnish, cluster, dir] = [undefined, undefined, undefined];
});

const viaVarnish = async (path: string) => {
  const response = await fetch(`${varnish!.url}${path}`);
  return { text: await response.text(), cached: /^\d+ \d+$/.test(response.headers.get('x-varnish') ?? '') };
};

describeIfAvailable(
  'varnishd with the xkey vmod, and redis-server',
  missing,
  'a writer killed after its commit, on a Redis Cluster behind Varnish',
  () => {
    test('another instance claims its purge intent: Varnish forgets the page within seconds', async () => {
      cluster = await RedisCluster.start(3);
      dir = await mkdtemp(join(tmpdir(), 'cache-page-cluster-edge-crash-'));
      const readerPort = await freePort();
      varnish = await startVarnish({ backend: { host: '127.0.0.1', port: readerPort } });
      const keyPrefix = `cluster-edge-crash-${randomBytes(4).toString('hex')}:`;
      const env = {
        CACHE_PAGE_LIB: await compiledLibrary(),
        REDIS_CLUSTER: cluster.rootNodes.map((node) => node.url).join(','),
        DB_KIND: 'sqlite',
        DB_URL: join(dir, 'blog.sqlite'),
        KEY_PREFIX: keyPrefix,
        VARNISH_URL: varnish.url,
        // No repurge: the reader's own (of its startup purge) could land after the kill and hide a lost intent.
        REPURGE_AFTER: '0',
      };
      const reader = await BlogInstance.start({
        ...env,
        ADAPTER: 'express',
        CREATE_SCHEMA: '1',
        PORT: String(readerPort),
      });
      instances.push(reader);
      for (const path of ['/posts/hello', '/']) {
        for (let attempt = 0; !(await viaVarnish(path)).cached; attempt++) {
          if (attempt > 10) throw new Error(`Varnish never kept ${path}`);
        }
      }
      expect((await viaVarnish('/posts/hello')).text).toBe('Post First title');

      const writer = await BlogInstance.start({ ...env, ADAPTER: 'fastify', KILL_AT: 'commit' });
      instances.push(writer);
      writer.writeAndForget('hello', 'Second title', 'flush');
      expect(await writer.exited).toBeNull(); // killed by its own SIGKILL, after the commit
      expect(await reader.fromDatabase('/posts/hello')).toBe('Post Second title');

      const started = Date.now();
      for (const [path, before, after] of [
        ['/posts/hello', 'Post First title', 'Post Second title'],
        ['/', 'Home: First title, Other post', 'Home: Second title, Other post'],
      ] as const) {
        for (;;) {
          const seen = await viaVarnish(path);
          if (seen.text === after) break;
          expect(seen.text).toBe(before);
          if (Date.now() - started > PURGED_WITHIN_MS)
            throw new Error(`Varnish still served the old ${path} after ${PURGED_WITHIN_MS} ms`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      // Forgotten for good: whatever Varnish keeps from now on is the new page.
      for (let i = 0; i < 5; i++) expect((await viaVarnish('/posts/hello')).text).toBe('Post Second title');
      expect(reader.output.join('\n')).not.toMatch(/purging .* failed/);

      // The claimed intent was cleared once Varnish acknowledged it, from bucket 0's hash.
      const intents = `${keyPrefix}{b0}edge-intents`;
      const deadline = Date.now() + 5_000;
      while ((await (await cluster.nodeOf(intents)).cli('HLEN', intents)) !== '0') {
        if (Date.now() > deadline) throw new Error(`${intents} still holds an intent`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }, 60_000);
  },
);
