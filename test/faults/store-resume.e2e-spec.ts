import { afterEach, expect, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import request from 'supertest';
import { CachePageService } from 'nestjs-cache-page';
import { ADAPTERS, createPagesApp, type PagesApp } from '../http/fixtures/create-pages-app.js';
import { canStartRedis, RedisServer } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';

/*
 * Redis paused (SIGSTOP) and resumed, again and again, under two app instances whose @keyv/redis
 * clients keep their default settings: instance A changes the data and invalidates its pages
 * during each pause, and acknowledges at once (invalidations are held, never waited for);
 * instance B reads those pages without a pause of its own. At resume, B's reads and A's held
 * invalidations reach Redis together; B must never serve a page older than a write A had
 * acknowledged before B's request was sent.
 */
const redisStarts = await canStartRedis();
const PAUSES = 20;
const PAGES = ['/items/p0', '/items/p1', '/items/p2'];

let redis: RedisServer | undefined;
let apps: PagesApp[] = [];

afterEach(async () => {
  redis?.resume();
  await Promise.all(apps.map((pages) => pages.app.close()));
  apps = [];
  await redis?.stop();
  redis = undefined;
});

async function instance(adapter: (typeof ADAPTERS)[number], url: string, keyPrefix: string) {
  const store = CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(url)] });
  const pages = await createPagesApp(adapter, { keyPrefix }, [store]);
  apps.push(pages);
  return pages;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A read of B's: when it was sent, what it showed, and the newest write A had acknowledged by then. */
interface Read {
  readonly sentAt: number;
  readonly acknowledged: number;
  readonly shown: number;
  readonly cache: string | undefined;
}

for (const adapter of ADAPTERS) {
  describeWithService(
    'redis-server',
    'redis-server on PATH',
    redisStarts,
    `Redis resumed on ${adapter}`,
    () => {
      test(`${PAUSES} pauses with writes on one instance and reads on the other: no stale read at resume`, async () => {
        redis = await RedisServer.start();
        const keyPrefix = uniquePrefix('resume');
        const a = await instance(adapter, redis.url, keyPrefix);
        const b = await instance(adapter, redis.url, keyPrefix);
        // The shared database: both instances render the newest version written.
        let version = 0;
        let acknowledged = 0;
        const write = async () => {
          version += 1;
          const written = version;
          a.data.value = `w${written}`;
          b.data.value = `w${written}`;
          await a.app.get(CachePageService).invalidate(PAGES);
          acknowledged = Math.max(acknowledged, written);
        };
        await write();

        const reads: Read[] = [];
        let running = true;
        const reader = async (path: string) => {
          while (running) {
            const sentAt = Date.now();
            const seen = acknowledged;
            const response = await request(b.server).get(path);
            const shown = Number(/value w(\d+)/.exec(response.text)?.[1] ?? NaN);
            reads.push({ sentAt, acknowledged: seen, shown, cache: response.headers['x-cache'] as string });
          }
        };
        const readers = PAGES.map((path) => reader(path));

        const pauses: Array<{ at: number; resumedAt: number }> = [];
        try {
          for (let i = 0; i < PAUSES; i++) {
            await sleep(600);
            await write();
            redis.pause();
            const at = Date.now();
            const pauseMs = 1_000 + (i % 5) * 500;
            const until = at + pauseMs;
            while (Date.now() < until) {
              await write();
              await sleep(100);
            }
            redis.resume();
            pauses.push({ at, resumedAt: Date.now() });
            for (let k = 0; k < 5; k++) {
              await write();
              await sleep(100);
            }
          }
          await sleep(500);
        } finally {
          running = false;
          redis.resume();
          await Promise.all(readers);
        }

        const stale = reads.filter((read) => read.shown < read.acknowledged);
        // Each stale read, counted against the pause before it was sent.
        const stalePerPause = pauses.map(
          ({ at }, i) =>
            stale.filter((read) => read.sentAt >= at && read.sentAt < (pauses[i + 1]?.at ?? Infinity)).length,
        );
        expect(reads.every((read) => Number.isInteger(read.shown))).toBe(true);
        expect(reads.some((read) => read.cache === 'HIT')).toBe(true);
        expect({ stale: stale.length, stalePerPause }).toEqual({
          stale: 0,
          stalePerPause: pauses.map(() => 0),
        });
      }, 120_000);
    },
  );
}
