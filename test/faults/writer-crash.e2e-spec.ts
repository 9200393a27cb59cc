import { afterEach, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledLibrary } from '../support/compiled-library.js';
import { canStartRedis, RedisServer } from '../support/redis-server.js';
import { describeWithService, isReachable, POSTGRES_URL } from '../support/services.js';
import { BlogInstance, type Seen } from './fixtures/blog-instance.js';

/*
 * A writer process dies at the worst moments: right after its commit (before the library's own
 * after-commit step), while an async dependentPaths() runs, or with a dependentPaths() that never
 * settles. Real processes share one database and a redis-server of the test's own; the other
 * instance must never serve a page older than the database, and must cache again within seconds.
 */
const redisStarts = await canStartRedis();
const postgresUp = await isReachable(POSTGRES_URL);

const DATABASES = [
  { kind: 'sqlite', available: true },
  { kind: 'postgresql', available: postgresUp },
] as const;

/** How long pages of a dead writer's commit may stay uncached (its liveness, 3 s, plus slack). */
const DEAD_WRITER_BOUND_MS = 6_000;

let redis: RedisServer | undefined;
let instances: BlogInstance[] = [];
let sqliteDir: string | undefined;

afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  instances = [];
  await redis?.stop();
  redis = undefined;
  if (sqliteDir) await rm(sqliteDir, { recursive: true, force: true });
  sqliteDir = undefined;
});

async function startBlog(kind: 'sqlite' | 'postgresql', readerAdapter: 'express' | 'fastify') {
  redis = await RedisServer.start();
  sqliteDir = kind === 'sqlite' ? await mkdtemp(join(tmpdir(), 'cache-page-crash-')) : undefined;
  const env = {
    CACHE_PAGE_LIB: await compiledLibrary(),
    REDIS_URL: redis.url,
    DB_KIND: kind,
    DB_URL: kind === 'sqlite' ? join(sqliteDir!, 'blog.sqlite') : POSTGRES_URL,
    DB_SCHEMA: `cache_page_crash_${randomBytes(4).toString('hex')}`,
    KEY_PREFIX: `crash-${randomBytes(4).toString('hex')}:`,
  };
  const reader = await BlogInstance.start({ ...env, ADAPTER: readerAdapter, CREATE_SCHEMA: '1' });
  instances.push(reader);
  const writerAdapter = readerAdapter === 'express' ? 'fastify' : 'express';
  const startWriter = async (extra: Record<string, string>) => {
    const writer = await BlogInstance.start({ ...env, ADAPTER: writerAdapter, ...extra });
    instances.push(writer);
    return writer;
  };
  for (const path of ['/posts/hello', '/posts/other', '/']) await warm(reader, path);
  return { reader, startWriter };
}

/** Requests `path` until it is a HIT (the first requests may come before the store is checked). */
async function warm(instance: BlogInstance, path: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await instance.get(path)).cache !== 'HIT') {
    if (Date.now() > deadline) throw new Error(`${path} was never cached`);
  }
}

/** Polls `path` until a HIT showing `expected`; fails on any response that shows `stale`. */
async function expectNeverStale(reader: BlogInstance, path: string, stale: string, expected: string) {
  const seen: Seen[] = [];
  const deadline = Date.now() + DEAD_WRITER_BOUND_MS;
  for (;;) {
    const response = await reader.get(path);
    seen.push(response);
    expect({ path, stale: response.text.includes(stale) }).toEqual({ path, stale: false });
    if (response.cache === 'HIT' && response.text.includes(expected)) return seen;
    if (Date.now() > deadline)
      throw new Error(`${path} was not cached again within ${DEAD_WRITER_BOUND_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for (const database of DATABASES) {
  describeWithService(
    'redis-server and PostgreSQL',
    database.kind === 'postgresql' ? POSTGRES_URL : 'redis-server on PATH',
    redisStarts && database.available,
    `a writer process that dies in the commit window, on ${database.kind}`,
    () => {
      test.each([
        ['flush()', 'flush', 'express'],
        ['em.transactional()', 'transactional', 'fastify'],
      ] as const)(
        'killed right after the COMMIT of %s: the other instance never serves the old page, and caches again within seconds',
        async (_name, shape, readerAdapter) => {
          const { reader, startWriter } = await startBlog(database.kind, readerAdapter);
          const writer = await startWriter({ KILL_AT: 'commit' });
          writer.writeAndForget('hello', 'Second title', shape);
          expect(await writer.exited).toBeNull(); // killed by its own SIGKILL, after the commit

          expect(await reader.fromDatabase('/posts/hello')).toBe('Post Second title');
          const seen = await expectNeverStale(reader, '/posts/hello', 'First title', 'Second title');
          await expectNeverStale(reader, '/', 'First title', 'Second title');
          expect((await reader.get('/posts/other')).cache).toBe('HIT');
          // Uncached while the dead writer's lease lasted, never a HIT of the old page.
          expect(seen.filter((response) => response.cache === 'HIT')).toHaveLength(1);
        },
        30_000,
      );

      test('killed while an async dependentPaths() runs: nothing was committed, and the cache agrees with the database', async () => {
        const { reader, startWriter } = await startBlog(database.kind, 'express');
        const writer = await startWriter({ PATHS: 'signal-then-hang' });
        writer.writeAndForget('hello', 'Never committed', 'flush');
        await writer.waitFor(/^paths-start$/);
        await writer.kill();

        expect(await reader.fromDatabase('/posts/hello')).toBe('Post First title');
        const page = await reader.get('/posts/hello');
        expect(page.text).toBe('Post First title');
      }, 30_000);

      test.each(['flush', 'transactional'] as const)(
        'a dependentPaths() that never settles: %s returns within the bound, commits, releases its row lock and invalidates every page',
        async (shape) => {
          const { reader, startWriter } = await startBlog(database.kind, 'fastify');
          const writer = await startWriter({ PATHS: 'hang' });
          const write = await writer.write('hello', 'Third title', shape);
          expect(write).toMatchObject({ status: 201, text: 'written' });
          expect(write.ms).toBeLessThan(4_000);

          const next = await reader.write('hello', 'Fourth title', 'flush');
          expect(next).toMatchObject({ status: 201, text: 'written' });
          expect(next.ms).toBeLessThan(2_000);
          await expectNeverStale(reader, '/posts/hello', 'First title', 'Fourth title');
          expect((await reader.get('/posts/other')).cache).toBe('MISS'); // everything was invalidated
          expect(writer.output.some((line) => line.includes('did not settle within 1000 ms'))).toBe(true);
        },
        30_000,
      );
    },
  );
}

describe('fault suite', () => {
  test('runs where redis-server can be started', () => {
    if (process.env.CI === 'true') expect(redisStarts).toBe(true);
  });
});
