import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { createCache, KeyvAdapter, type Cache, type CacheManagerStore } from 'cache-manager';
import { redisStore } from 'cache-manager-redis-yet';
import { Keyv } from 'keyv';
import type { DynamicModule } from '@nestjs/common';
import type { CachePageModuleOptions } from 'nestjs-cache-page';
import { REDIS_URL } from './services.js';

/** A store the suites run against: what to import into the app and how to clean up after. */
export interface StoreSetup {
  readonly imports: DynamicModule[];
  readonly options: Partial<CachePageModuleOptions>;
  /** Removes this run's keys (by prefix: never FLUSHDB) and closes connections; call before app.close(). */
  cleanup(): Promise<void>;
}

export interface StoreVariant {
  readonly name: string;
  readonly needsRedis: boolean;
  setup(keyPrefix: string): Promise<StoreSetup>;
}

interface RedisScanClient {
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string | string[]>;
  unlink(keys: string[]): Promise<unknown>;
}

/** Deletes the keys containing `keyPrefix`, SCAN by SCAN; the rest of the database is untouched. */
export async function deleteKeysContaining(client: RedisScanClient, keyPrefix: string): Promise<number> {
  let deleted = 0;
  for await (const batch of client.scanIterator({ MATCH: `*${keyPrefix}*`, COUNT: 500 })) {
    const keys = Array.isArray(batch) ? batch : [batch];
    if (keys.length > 0) {
      await client.unlink(keys);
      deleted += keys.length;
    }
  }
  return deleted;
}

export const memoryStore: StoreVariant = {
  name: 'memory (built-in LRU)',
  needsRedis: false,
  setup: async () => ({ imports: [], options: {}, cleanup: async () => undefined }),
};

/** The recommended Redis path: `@keyv/redis` registered as the app's global CacheModule store. */
export const keyvRedisStore: StoreVariant = {
  name: 'Redis via @keyv/redis (global CacheModule)',
  needsRedis: true,
  setup: async (keyPrefix) => {
    const keyvRedis = new KeyvRedis(REDIS_URL);
    return {
      imports: [CacheModule.register({ isGlobal: true, stores: [keyvRedis] })],
      options: {},
      cleanup: async () => {
        await deleteKeysContaining((await keyvRedis.getClient()) as unknown as RedisScanClient, keyPrefix);
        await keyvRedis.disconnect();
      },
    };
  },
};

/** The legacy path: cache-manager-redis-yet wrapped in cache-manager's KeyvAdapter, passed as `cache`. */
export const redisYetStore: StoreVariant = {
  name: 'Redis via cache-manager-redis-yet (KeyvAdapter)',
  needsRedis: true,
  setup: async (keyPrefix) => {
    const yet = await redisStore({ url: REDIS_URL });
    const cache: Cache = createCache({
      stores: [new Keyv({ store: new KeyvAdapter(yet as unknown as CacheManagerStore) })],
    });
    return {
      imports: [],
      options: { cache },
      cleanup: async () => {
        await deleteKeysContaining(yet.client as unknown as RedisScanClient, keyPrefix);
        await yet.client.quit();
      },
    };
  },
};

export const ALL_STORES: readonly StoreVariant[] = [memoryStore, keyvRedisStore, redisYetStore];

/** A key prefix unique to one test app, so runs never see each other's pages. */
export const uniquePrefix = (label: string): string =>
  `cache-page-test:${label}:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
