import { afterEach, expect, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { CachePageService } from 'nestjs-cache-page';
import { ADAPTERS } from '../http/fixtures/create-pages-app.js';
import { canStartRedis, RedisServer } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';
import { createGraceApp, type GraceApp } from '../grace/fixtures/grace-app.js';

/*
 * Warm-up waits for a store that stopped answering: a page queued for warm-up just before Redis
 * is paused (SIGSTOP) is warmed once it answers again, not lost and not rendered into a store
 * that cannot keep it.
 */
const redisStarts = await canStartRedis();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithService(
  'redis-server',
  'redis-server on PATH',
  redisStarts,
  'warm-up while the store is down',
  () => {
    let redis: RedisServer | undefined;
    let site: GraceApp | undefined;
    let keyv: KeyvRedis<unknown> | undefined;
    afterEach(async () => {
      redis?.resume();
      await site?.app.close();
      await keyv?.disconnect().catch(() => undefined);
      await redis?.stop();
      [site, keyv, redis] = [undefined, undefined, undefined];
    });

    for (const adapter of ADAPTERS) {
      test(`${adapter}: a page queued for warm-up just before Redis paused is warmed after it resumes`, async () => {
        redis = await RedisServer.start();
        keyv = new KeyvRedis(redis.url);
        const store = CacheModule.register({ isGlobal: true, stores: [keyv] });
        const options = { keyPrefix: uniquePrefix('warm-down'), warmUp: { delay: 300 } };
        site = await createGraceApp(adapter, options, [store]);
        const get = async () => {
          const response = await fetch(`${site!.url}/pages/1`);
          return { cache: response.headers.get('x-cache'), text: await response.text() };
        };
        while ((await get()).cache !== 'HIT');
        const renders = () => site!.data.counters.of('page 1');
        expect(renders()).toBe(1);

        site.data.version = 2;
        await site.app.get(CachePageService).invalidate('/pages/1');
        await sleep(150); // the instance has read the invalidation and queued the page (delay 300 ms)
        redis.pause();
        await sleep(2_500);
        expect(renders()).toBe(1); // nothing rendered into a store that does not answer

        redis.resume();
        const deadline = Date.now() + 10_000;
        while (renders() < 2) {
          if (Date.now() > deadline) throw new Error('the page was never warmed after the store resumed');
          await sleep(50);
        }
        await sleep(2_500); // past the settling after a stall
        expect(await get()).toMatchObject({ cache: 'HIT', text: 'page 1 v2 call 2' });
        expect(renders()).toBe(2);
      }, 30_000);
    }
  },
);
