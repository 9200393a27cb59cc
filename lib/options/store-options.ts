import type { Cache } from 'cache-manager';
import type { CachePageModuleOptions } from '../interfaces/cache-page-module-options.interface.js';
import { invalidCacheMessage } from '../cache-page.messages.js';
import { CACHE_PAGE_DEFAULTS } from './defaults.js';
import { resolveMilliseconds, resolvePositiveInteger } from './option-values.js';

const CACHE_METHODS = ['get', 'mget', 'set', 'mset', 'mdel'] as const;

/** The store group: where pages live, how long, how many, and how long a store call may take. */
export function resolveStoreOptions(options: CachePageModuleOptions) {
  const defaults = CACHE_PAGE_DEFAULTS;
  return {
    ttl: resolveMilliseconds('ttl', options.ttl, defaults.ttl, '>= 0 (0 = forever)'),
    cache: resolveCache(options.cache),
    maxEntries: resolvePositiveInteger('maxEntries', options.maxEntries, defaults.maxEntries),
    maxBytes: resolvePositiveInteger('maxBytes', options.maxBytes, defaults.maxBytes),
    storeTimeout: resolveMilliseconds('storeTimeout', options.storeTimeout, defaults.storeTimeout, '> 0', 1),
    reclaimAfter: resolveMilliseconds('reclaimAfter', options.reclaimAfter, defaults.reclaimAfter, '> 0', 1),
  };
}

function resolveCache(value: unknown): Cache | undefined {
  if (value === undefined) return undefined;
  const missing = CACHE_METHODS.filter(
    (method) => typeof (value as Record<string, unknown> | null)?.[method] !== 'function',
  );
  if (missing.length > 0) throw new TypeError(invalidCacheMessage(missing));
  return value as Cache;
}
