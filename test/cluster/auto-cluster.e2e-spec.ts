import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { MikroORM } from '@mikro-orm/libsql';
import { createBlogSchema } from '../orm/blog/blog.database.js';
import { ADAPTERS, AutoApp } from '../orm/auto/auto-app.js';
import { seedAuto, type AutoIds } from '../orm/auto/auto.database.js';
import { AUTO_ENTITIES, Author } from '../orm/auto/auto.entities.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { canStartRedis } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';

/*
 * Automatic dependencies on a Redis Cluster of the suite's own: the dependency keys' bucket
 * copies are read in the hit's one MGET, and a write through one instance renews them in every
 * bucket, so the other instance's page is invalidated.
 */
const redisStarts = await canStartRedis();

let cluster: RedisCluster | undefined;
let orm: MikroORM;
let ids: AutoIds;
const apps: AutoApp[] = [];

const onCluster = () =>
  CacheModule.register({
    isGlobal: true,
    // @keyv/redis creates the cluster client itself from `rootNodes` (the other suite passes its own).
    stores: [new KeyvRedis({ rootNodes: cluster!.rootNodes })],
  });

describeWithService(
  'redis-server',
  'a redis-server binary',
  redisStarts,
  'automatic dependencies on a Redis Cluster',
  () => {
    beforeAll(async () => {
      orm = await MikroORM.init({ dbName: ':memory:', entities: AUTO_ENTITIES });
      await createBlogSchema(orm);
      ids = await seedAuto(orm);
      cluster = await RedisCluster.start(3);
    }, 60_000);
    afterAll(async () => {
      await orm.close(true);
      await cluster?.stop();
    });
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
    });

    test.each(ADAPTERS)(
      '%s: a hit of a page with tens of dependency keys is one MGET, in one slot',
      async (adapter) => {
        const keyPrefix = uniquePrefix('auto-cluster');
        const app = await AutoApp.start(orm, adapter, { keyPrefix }, [onCluster()]);
        apps.push(app);
        await app.cachedSoon('/articles/hello');
        const depends = app.cachePage.stats().routes['GET /articles/:slug']?.dependencies?.keys ?? 0;
        expect(depends).toBeGreaterThanOrEqual(10);
        await app.expectHit('/articles/hello');
        await cluster!.recordCommands();
        for (let i = 0; i < 10; i++) await app.expectHit('/articles/hello');
        const ofThisTest = (await cluster!.recordedCommands()).filter(
          (args) => args.some((arg) => arg.startsWith(keyPrefix)) && args[1] !== `${keyPrefix}server`,
        );
        expect(ofThisTest).toHaveLength(10);
        for (const [command, ...keys] of ofThisTest) {
          expect(command?.toUpperCase()).toBe('MGET');
          expect(keys.length).toBe(3 + depends);
          expect(keys.filter((key) => key.includes('dep:'))).toHaveLength(depends);
          const tags = new Set(keys.map((key) => /^[^{]*(\{b\d+\})/.exec(key)?.[1]));
          expect([...tags]).toEqual([expect.stringMatching(/^\{b\d+\}$/)]);
        }
      },
      30_000,
    );

    test.each(ADAPTERS)(
      '%s: two app instances on one cluster: a write through one invalidates the other’s page',
      async (adapter) => {
        const keyPrefix = uniquePrefix('auto-cluster');
        const writerApp = await AutoApp.start(orm, adapter, { keyPrefix }, [onCluster()]);
        const reader = await AutoApp.start(orm, adapter, { keyPrefix }, [onCluster()]);
        apps.push(writerApp, reader);
        await reader.cachedSoon(`/authors/${ids.brian}`);
        const em = orm.em.fork();
        (await em.findOneOrFail(Author, ids.brian)).bio = `plan 9 on a cluster, ${adapter}`;
        await em.flush();
        await reader.expectMiss(`/authors/${ids.brian}`, `Brian (plan 9 on a cluster, ${adapter})`);
        await reader.cachedSoon(`/authors/${ids.brian}`);
      },
      30_000,
    );
  },
);
