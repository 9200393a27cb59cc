import { afterAll, afterEach, beforeAll, describe, test } from '@jest/globals';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis, { createCluster } from '@keyv/redis';
import type { CachePageModuleOptions } from 'nestjs-cache-page';
import { ADAPTERS } from '../http/fixtures/create-pages-app.js';
import { oneRefreshAcrossInstances, warmedOnceAcrossInstances } from '../grace/fixtures/cross-instance.js';
import { createGraceApp, type GraceApp, type NewsData } from '../grace/fixtures/grace-app.js';
import { RedisCluster } from '../support/redis-cluster.js';
import { canStartRedis } from '../support/redis-server.js';
import { describeWithService } from '../support/services.js';
import { uniquePrefix } from '../support/stores.js';

/*
 * Grace and warm-up across two instances on a real Redis Cluster of the suite's own (three
 * masters) through @keyv/redis cluster clients with their default settings: the refresh claim
 * (`SET NX PX`, in the page's slot) lets one render refresh a stale page across both instances,
 * and the invalidation feed (in the intents' slot) lets each page be warmed once across both.
 */
const redisStarts = await canStartRedis();
const WARM_UP_DELAY_MS = 200;

let cluster: RedisCluster | undefined;
let sites: GraceApp[] = [];

describeWithService(
  'redis-server',
  'redis-server on PATH',
  redisStarts,
  'grace and warm-up on a Redis Cluster',
  () => {
    beforeAll(async () => {
      cluster = await RedisCluster.start(3);
    }, 60_000);

    afterEach(async () => {
      for (const site of sites) site.data.gate?.open();
      await Promise.all(sites.map((site) => site.app.close()));
      sites = [];
    });

    afterAll(async () => {
      await cluster?.stop();
    });

    for (const adapter of ADAPTERS) {
      describe(adapter, () => {
        /** One instance of the grace fixture over the cluster, with the client's default settings. */
        const starter = (options: CachePageModuleOptions) => async (keyPrefix: string, data: NewsData) => {
          const client = createCluster({ rootNodes: cluster!.rootNodes });
          const store = CacheModule.register({ isGlobal: true, stores: [new KeyvRedis(client)] });
          const site = await createGraceApp(adapter, { keyPrefix, ...options }, [store], false, data);
          sites.push(site);
          return site;
        };

        test('grace: one refresh across both instances, both serve STALE meanwhile', async () => {
          await oneRefreshAcrossInstances(starter({}), uniquePrefix('cluster-grace'));
        });

        test('warm-up: each page is warmed once across both, also a page read only on the instance that did not write', async () => {
          const options = { warmUp: { concurrency: 2, delay: WARM_UP_DELAY_MS } };
          await warmedOnceAcrossInstances(starter(options), uniquePrefix('cluster-warm'), WARM_UP_DELAY_MS);
        });
      });
    }
  },
);
