import { afterEach, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlogInstance } from '../faults/fixtures/blog-instance.js';
import { compiledLibrary } from '../support/compiled-library.js';
import { canStartRedis, freePort, RedisServer } from '../support/redis-server.js';
import { describeIfAvailable } from '../support/services.js';
import { availability, startVarnish, type VarnishServer } from '../support/varnish-server.js';

/*
 * The purge intent is recorded before the commit: a writer process `kill -9`ed right after its
 * commit (before the library's own after-commit step) never purges Varnish itself, and the other
 * instance, seeing the intent's writer dead, sends the purge. Real processes, one SQLite file, a
 * redis-server and a varnishd of the test's own.
 */
const missing = availability() ?? ((await canStartRedis()) ? undefined : 'redis-server not on PATH');
/** The writer's liveness (3 s), the sweep (1 s) and slack. */
const PURGED_WITHIN_MS = 8_000;

let redis: RedisServer | undefined;
let varnish: VarnishServer | undefined;
let instances: BlogInstance[] = [];
let dir: string | undefined;

afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  instances = [];
  await varnish?.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  [varnish, redis, dir] = [undefined, undefined, undefined];
});

const viaVarnish = async (path: string) => {
  const response = await fetch(`${varnish!.url}${path}`);
  return { text: await response.text(), cached: /^\d+ \d+$/.test(response.headers.get('x-varnish') ?? '') };
};

describeIfAvailable(
  'varnishd with the xkey vmod, and redis-server',
  missing,
  'a writer killed after its commit, behind Varnish',
  () => {
    test('another instance sends its purge: Varnish forgets the page within seconds', async () => {
      redis = await RedisServer.start();
      dir = await mkdtemp(join(tmpdir(), 'cache-page-edge-crash-'));
      const readerPort = await freePort();
      varnish = await startVarnish({ backend: { host: '127.0.0.1', port: readerPort } });
      const env = {
        CACHE_PAGE_LIB: await compiledLibrary(),
        REDIS_URL: redis.url,
        DB_KIND: 'sqlite',
        DB_URL: join(dir, 'blog.sqlite'),
        KEY_PREFIX: `edge-crash-${randomBytes(4).toString('hex')}:`,
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
      for (let attempt = 0; !(await viaVarnish('/posts/hello')).cached; attempt++) {
        if (attempt > 10) throw new Error('Varnish never kept /posts/hello');
      }
      expect((await viaVarnish('/posts/hello')).text).toBe('Post First title');

      const writer = await BlogInstance.start({ ...env, ADAPTER: 'fastify', KILL_AT: 'commit' });
      instances.push(writer);
      writer.writeAndForget('hello', 'Second title', 'flush');
      expect(await writer.exited).toBeNull(); // killed by its own SIGKILL, after the commit
      expect(await reader.fromDatabase('/posts/hello')).toBe('Post Second title');

      const started = Date.now();
      for (;;) {
        const seen = await viaVarnish('/posts/hello');
        if (seen.text === 'Post Second title') break;
        expect(seen.text).toBe('Post First title');
        if (Date.now() - started > PURGED_WITHIN_MS)
          throw new Error(`Varnish still served the old page after ${PURGED_WITHIN_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Forgotten for good: whatever Varnish keeps from now on is the new page.
      for (let i = 0; i < 5; i++) expect((await viaVarnish('/posts/hello')).text).toBe('Post Second title');
      expect(reader.output.join('\n')).not.toMatch(/purging .* failed/);
    }, 40_000);
  },
);
