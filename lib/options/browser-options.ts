import type { CachePageModuleOptions } from '../interfaces/cache-page-module-options.interface.js';
import { CACHE_PAGE_DEFAULTS } from './defaults.js';
import { checkCacheControl } from './cache-control.js';
import { resolveBoolean, resolveMilliseconds } from './option-values.js';

/** The browsers group: what browsers are told about the pages the cache serves and does not. */
export function resolveBrowserOptions(options: CachePageModuleOptions) {
  const defaults = CACHE_PAGE_DEFAULTS;
  return {
    reloadOnBack: resolveBoolean('reloadOnBack', options.reloadOnBack, defaults.reloadOnBack),
    noStoreUncached: resolveBoolean('noStoreUncached', options.noStoreUncached, defaults.noStoreUncached),
    cacheControl:
      options.cacheControl === undefined ? defaults.cacheControl : checkCacheControl(options.cacheControl),
    fragmentTimeout: resolveMilliseconds(
      'fragmentTimeout',
      options.fragmentTimeout,
      defaults.fragmentTimeout,
      '> 0',
      1,
    ),
  };
}
