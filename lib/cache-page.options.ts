import type { Cache } from 'cache-manager';
import type {
  CachePageModuleOptions,
  CachePageOrm,
  DependencyMode,
  FastPathMode,
  PathPattern,
} from './interfaces/cache-page-module-options.interface.js';
import { invalidOptionMessage } from './cache-page.messages.js';
import { resolveBrowserOptions } from './options/browser-options.js';
import { resolveEdgeOptions, type ResolvedEdgeOptions } from './options/edge-options.js';
import { resolveGraceOptions, type ResolvedWarmUp } from './options/grace-options.js';
import { resolveHttpOptions } from './options/http-options.js';
import { resolveOrmOptions } from './options/orm-options.js';
import { resolvePathOptions } from './options/path-options.js';
import { resolveStoreOptions } from './options/store-options.js';

export { CACHE_PAGE_DEFAULTS } from './options/defaults.js';

/** The module options after defaults and validation: what the rest of the code reads. */
export interface ResolvedCachePageOptions {
  readonly ignorePaths: readonly PathPattern[];
  readonly keyPrefix: string;
  readonly ttl: number;
  readonly cache: Cache | undefined;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly global: boolean;
  readonly enabled: boolean;
  readonly cacheableStatuses: ReadonlySet<number>;
  readonly bypassCookies: readonly string[];
  readonly invalidateAllOnChange: boolean;
  readonly ignoreEntities: ReadonlySet<string>;
  readonly dependencies: DependencyMode;
  readonly debug: boolean;
  /** `undefined`: find the app's MikroORM providers at startup. */
  readonly orm: readonly CachePageOrm[] | undefined;
  readonly storeTimeout: number;
  readonly reclaimAfter: number;
  readonly dependentPathsTimeout: number;
  readonly languages: readonly string[];
  readonly reloadOnBack: boolean;
  readonly fastPath: FastPathMode;
  /** Middleware the fast path may skip: function and hook names, and middleware classes. */
  readonly skippableMiddleware: ReadonlyArray<string | Function>;
  readonly noStoreUncached: boolean;
  /** What cached pages tell browsers and proxies when their route set no `Cache-Control`; `false`: nothing. */
  readonly cacheControl: string | false;
  /** How long a `@PageFragment()` method may take before its fallback is sent, ms. */
  readonly fragmentTimeout: number;
  /** After an invalidation, how long the previous page may be served while one render refreshes it, ms. */
  readonly staleWhileRevalidate: number;
  /** After an invalidation, how long the previous page may be served when its render fails, ms. */
  readonly staleIfError: number;
  /** Warm-up of invalidated pages that were being read; `undefined`: off. */
  readonly warmUp: ResolvedWarmUp | undefined;
  /** Edge caches kept in step with the store; `undefined`: none. */
  readonly edge: ResolvedEdgeOptions | undefined;
  /** Startup warnings about the options (logged once by the module). */
  readonly warnings: readonly string[];
}

/**
 * Applies defaults to user options and rejects bad values with an error that names the option,
 * the value and the fix. Runs once, when the module's providers are created. Each group of
 * options is read beside its kind (`options/*-options.ts`); the defaults are in `options/defaults.ts`.
 */
export function resolveCachePageOptions(options: CachePageModuleOptions = {}): ResolvedCachePageOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(invalidOptionMessage('options', options, 'must be an object'));
  }
  return {
    ...resolvePathOptions(options),
    ...resolveStoreOptions(options),
    ...resolveHttpOptions(options),
    ...resolveOrmOptions(options),
    ...resolveBrowserOptions(options),
    ...resolveEdgeOptions(options),
    ...resolveGraceOptions(options),
  };
}
