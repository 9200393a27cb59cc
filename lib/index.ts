/**
 * The public surface of nestjs-cache-page, listed name by name: nothing else is exported, and a
 * test checks the built package's exports against this list (test/packaging).
 */
export { CachePageModule } from './cache-page.module.js';
export { CACHE_PAGE_MODULE_OPTIONS } from './cache-page.module-definition.js';
export type { CachePageModuleExtras, CachePageOptionsFactory } from './cache-page.module-definition.js';
export { CachePageService } from './cache-page.service.js';
export { CachePageInterceptor } from './http/cache-page.interceptor.js';
export { CachePage } from './decorators/cache-page.decorator.js';
export { NoCachePage } from './decorators/no-cache-page.decorator.js';
export { DependentPaths } from './decorators/dependent-paths.decorator.js';
export { PageFragment, type PageFragmentOptions } from './decorators/page-fragment.decorator.js';
export { pageFragment } from './fragments/fragment-marker.js';
export type { PageFragmentValue } from './fragments/fragment-value.js';
export type { DependentPathsEntity, DependentPathsResult } from './decorators/dependent-paths.decorator.js';
export {
  CACHE_PAGE_METADATA,
  CACHE_STATUS_HEADER,
  DEPENDENT_PATHS_METADATA,
  NO_CACHE_PAGE_METADATA,
  PAGE_FRAGMENT_METADATA,
} from './cache-page.constants.js';
export type {
  CachePageEdgeOptions,
  CachePageModuleOptions,
  CachePageOrm,
  CachePageRouteOptions,
  CachePageWarmUpOptions,
  EntityClass,
  FastPathMode,
  PathPattern,
} from './interfaces/cache-page-module-options.interface.js';
export type { FastHit } from './http/fast-hit-events.js';
export type { WarmResult } from './warm-up/warm-paths.js';
export type { CachePageStats, RouteStats } from './observation/page-stats.js';
export { CachePageHealthIndicator, type CachePageHealth } from './observation/cache-page-health.indicator.js';
export type {
  EveryPageCause,
  InvalidationEvent,
  InvalidationRecord,
  InvalidationTrigger,
} from './observation/invalidation-record.js';
export { pagePath, pagePaths, pageRoute } from './routes/page-route.js';
export { EdgePurgeError, type EdgePurger, type EdgePurgeOptions } from './edge/edge-purger.js';
export { VarnishPurger, type VarnishPurgerOptions } from './edge/varnish-purger.js';
export { FastlyPurger, type FastlyPurgerOptions } from './edge/purgers/fastly-purger.js';
export { CloudflarePurger, type CloudflarePurgerOptions } from './edge/purgers/cloudflare-purger.js';
export type { ControllerClass, PageRoute, RouteHandlerName } from './routes/page-route.js';
// What a subclass of CachePageInterceptor sees in its protected members.
export type { ResolvedCachePageOptions } from './cache-page.options.js';
export type { PageStore } from './store/page-store.js';
