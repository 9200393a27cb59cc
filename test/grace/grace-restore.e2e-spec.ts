import { afterEach, expect, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { CachePageService } from 'nestjs-cache-page';
import { ADAPTERS } from '../http/fixtures/create-pages-app.js';
import { canStartRedis, RedisServer } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';
import { createGraceApp, type GraceApp } from './fixtures/grace-app.js';

/*
 * A stale page is served only while the store vouches for its history: a Redis restarted from
 * an older snapshot brings back pages and epochs from before later changes, and the module's
 * renewal of every page after it must not make them "one change behind" (grace would serve them).
 */
const redisStarts = await canStartRedis();

describeWithService(
  'redis-server',
  'redis-server on PATH',
  redisStarts,
  'grace across a restored Redis',
  () => {
    let redis: RedisServer | undefined;
    let site: GraceApp | undefined;
    let keyv: KeyvRedis<unknown> | undefined;
    afterEach(async () => {
      await site?.app.close();
      await keyv?.disconnect().catch(() => undefined);
      await redis?.stop();
      [site, keyv, redis] = [undefined, undefined, undefined];
    });

    for (const adapter of ADAPTERS) {
      test(`${adapter}: after a restore from an older snapshot, no page from the snapshot is served, STALE or HIT`, async () => {
        redis = await RedisServer.start();
        keyv = new KeyvRedis(redis.url);
        const store = CacheModule.register({ isGlobal: true, stores: [keyv] });
        // A long grace (module-wide, so /plain has it), longer than the store's settling after the restart.
        const options = { keyPrefix: uniquePrefix('grace-restore'), staleWhileRevalidate: 20_000 };
        site = await createGraceApp(adapter, options, [store]);
        const get = async () => {
          const response = await fetch(`${site!.url}/plain`);
          return { cache: response.headers.get('x-cache'), text: await response.text() };
        };
        while ((await get()).cache !== 'HIT');
        await redis.snapshot('v1');

        site.data.version = 2;
        await site.app.get(CachePageService).invalidate('/plain');
        while ((await get()).cache !== 'HIT');

        await redis.restart('v1');
        await new Promise((resolve) => setTimeout(resolve, 3_000)); // past the settling after an outage
        site.data.renderMs = 200; // readers arrive while a render refreshes the page
        const seen: string[] = [];
        const deadline = Date.now() + 10_000;
        for (;;) {
          const answers = await Promise.all([get(), get(), get(), get()]);
          for (const answer of answers) {
            seen.push(`${answer.cache} ${answer.text}`);
            expect({ answer, old: answer.text.includes('v1') }).toMatchObject({ old: false });
          }
          if (answers.every((answer) => answer.cache === 'HIT')) break;
          if (Date.now() > deadline) throw new Error(`never cached again: ${seen.slice(-5).join(', ')}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }, 30_000);
    }
  },
);
