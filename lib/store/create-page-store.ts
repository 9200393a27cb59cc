import type { Cache } from 'cache-manager';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { CacheManagerBackend } from './backends/cache-manager-backend.js';
import { MemoryBackend } from './backends/memory-backend.js';
import { RedisBackend } from './backends/redis-backend.js';
import { findRedisClient } from './backends/redis-client.js';
import { PageStore } from './page-store.js';
import { PathMapping } from './path-mapping.js';

/**
 * The page store for these options: over `cache` (the option, else the app's `CACHE_MANAGER`),
 * through Redis's own client when the cache is a single Redis store, else through cache-manager;
 * without a cache, over the built-in memory LRU.
 */
export function createPageStore(options: ResolvedCachePageOptions, appCache: Cache | undefined): PageStore {
  const cache = options.cache ?? appCache;
  const prefix = options.keyPrefix;
  const redis = cache && findRedisClient(cache);
  const backend = !cache
    ? new MemoryBackend(options.maxEntries)
    : redis
      ? new RedisBackend(redis, `${prefix}writer:`, `${prefix}edge-intents`)
      : new CacheManagerBackend(cache);
  return new PageStore(backend, {
    keyPrefix: prefix,
    storeTimeoutMs: options.storeTimeout,
    reclaimAfterMs: options.reclaimAfter,
    maxBodyBytes: options.maxBytes,
    paths: new PathMapping(),
  });
}
