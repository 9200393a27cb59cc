import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { MikroORM } from '@mikro-orm/libsql';
import { canStartRedis, RedisServer } from '../../support/redis-server.js';
import { describeWithService } from '../../support/services.js';
import { createBlogSchema } from '../blog/blog.database.js';
import { ADAPTERS, AutoApp } from './auto-app.js';
import { Article, AUTO_ENTITIES, Author } from './auto.entities.js';
import { seedAuto, type AutoIds } from './auto.database.js';

/*
 * Automatic dependencies on Redis, a server of the test's own: a hit of a page with tens of
 * dependency keys is still one MGET, and two app instances on one Redis invalidate each
 * other's pages.
 */
const redisStarts = await canStartRedis();

let redis: RedisServer | undefined;
let orm: MikroORM;
let ids: AutoIds;
const apps: AutoApp[] = [];

beforeAll(async () => {
  orm = await MikroORM.init({ dbName: ':memory:', entities: AUTO_ENTITIES });
  await createBlogSchema(orm);
  ids = await seedAuto(orm);
});
afterAll(async () => {
  await orm.close(true);
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await redis?.stop();
  redis = undefined;
});

const onRedis = (url: string) => CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(url)] });

describeWithService(
  'redis-server',
  'a redis-server binary',
  redisStarts,
  'automatic dependencies on Redis',
  () => {
    test.each(ADAPTERS)(
      '%s: a hit of a page with tens of dependency keys is one MGET',
      async (adapter) => {
        redis = await RedisServer.start();
        const app = await AutoApp.start(orm, adapter, { keyPrefix: 'auto:' }, [onRedis(redis.url)]);
        apps.push(app);
        await app.cachedSoon('/articles/hello');
        await app.cachedSoon(`/authors/${ids.ada}`);
        const depends = app.cachePage.stats().routes['GET /articles/:slug']?.dependencies?.keys ?? 0;
        expect(depends).toBeGreaterThanOrEqual(10);
        await redis.cli('CONFIG', 'RESETSTAT');
        for (let i = 0; i < 20; i++) await app.expectHit('/articles/hello');
        const stats = await redis.cli('INFO', 'commandstats');
        const calls = (command: string) =>
          Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
        expect({ mget: calls('mget'), get: calls('get'), evalsha: calls('evalsha') }).toEqual({
          mget: 20,
          get: 0,
          evalsha: 0,
        });
        const sent = Number(/total_net_output_bytes:(\d+)/.exec(await redis.cli('INFO', 'stats'))?.[1]);
        // The entry (headers, keys, epochs) and one epoch per key; the body is held in the process.
        expect(sent / 20).toBeLessThan(6_000);
      },
      30_000,
    );

    test.each(ADAPTERS)(
      '%s: two app instances on one Redis: a write through one invalidates the other’s page',
      async (adapter) => {
        redis = await RedisServer.start();
        const writerApp = await AutoApp.start(orm, adapter, { keyPrefix: 'auto:' }, [onRedis(redis.url)]);
        const reader = await AutoApp.start(orm, adapter, { keyPrefix: 'auto:' }, [onRedis(redis.url)]);
        apps.push(writerApp, reader);
        await reader.cachedSoon(`/authors/${ids.brian}`);
        const em = orm.em.fork();
        (await em.findOneOrFail(Author, ids.brian)).bio = `plan 9 on ${adapter}`;
        await em.flush();
        await reader.expectMiss(`/authors/${ids.brian}`, `Brian (plan 9 on ${adapter})`);
        await reader.cachedSoon(`/by-id/${ids.world}`);
        await orm.em
          .fork()
          .nativeUpdate(Article, { id: ids.world }, { title: `World, natively on ${adapter}` });
        await reader.expectMiss(`/by-id/${ids.world}`, `World, natively on ${adapter}`);
      },
      30_000,
    );
  },
);
