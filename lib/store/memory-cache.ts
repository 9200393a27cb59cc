import { createKeyv } from '@cacheable/memory';
import { createCache, type Cache } from 'cache-manager';

/**
 * The default store: an in-memory LRU bounded to `maxEntries` keys. Cache-manager's own default
 * is an unbounded Map, which a cache that keeps pages forever would grow without limit.
 */
export function createMemoryCache(maxEntries: number): Cache {
  // Entries are never mutated after they are stored, so cloning them on every read is waste.
  return createCache({ stores: [createKeyv({ lruSize: maxEntries, useClone: false })] });
}
