import type {
  CachePageModuleOptions,
  DependencyMode,
  FastPathMode,
} from '../interfaces/cache-page-module-options.interface.js';

const DAY_MS = 24 * 60 * 60_000;

/** Every default, in one place (the interface's `@default` tags say the same). */
export const CACHE_PAGE_DEFAULTS = {
  ignorePaths: ['/admin'],
  keyPrefix: 'cache-page:',
  ttl: 0,
  maxEntries: 10_000,
  maxBytes: 128 * 1024 * 1024,
  global: true,
  enabled: true,
  cacheableStatuses: [200],
  bypassCookies: [],
  invalidateAllOnChange: false,
  dependencies: 'declared' as DependencyMode,
  ignoreEntities: [],
  debug: false,
  storeTimeout: 250,
  reclaimAfter: 7 * DAY_MS,
  dependentPathsTimeout: 1_000,
  languages: [],
  reloadOnBack: false,
  fastPath: 'auto' as FastPathMode,
  skippableMiddleware: [],
  noStoreUncached: false,
  cacheControl: 'no-cache' as string | false,
  fragmentTimeout: 250,
  staleWhileRevalidate: 0,
  staleIfError: 0,
} as const satisfies Partial<Record<keyof CachePageModuleOptions, unknown>>;

/** Defaults of the `warmUp` option's fields (`warmUp: true`). */
export const WARM_UP_DEFAULTS = {
  concurrency: 1,
  delay: 500,
  hitWithin: 10 * 60_000,
} as const;

/** Defaults of the `edge` option's fields. */
export const EDGE_DEFAULTS = {
  ttl: DAY_MS,
  waitForPurge: false,
  purgeTimeout: 2_000,
  repurgeAfter: 5_000,
} as const;
