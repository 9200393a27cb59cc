import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule, ModulesContainer } from '@nestjs/core';
import type { Cache } from 'cache-manager';
import {
  CACHE_PAGE_ASYNC_OPTIONS_TYPE,
  CACHE_PAGE_MODULE_OPTIONS,
  CACHE_PAGE_OPTIONS_TYPE,
  ConfigurableCachePageModule,
  type CachePageModuleExtras,
} from './cache-page.module-definition.js';
import {
  LIBRARY_SKIPPABLE_MIDDLEWARE,
  RESOLVED_CACHE_PAGE_OPTIONS,
} from './cache-page.internal-constants.js';
import { CachePageStartupLog } from './cache-page.startup-log.js';
import { resolveCachePageOptions, type ResolvedCachePageOptions } from './cache-page.options.js';
import { CachePageService } from './cache-page.service.js';
import { AppPathMapper } from './http/app-path-mapper.js';
import { AppRoutes } from './routes/app-routes.js';
import { CachePageInterceptor } from './http/cache-page.interceptor.js';
import { EdgeCaches } from './edge/edge-caches.js';
import { ReadYourWrites } from './grace/read-your-writes.js';
import { WarmUp } from './warm-up/warm-up.js';
import { FastPath } from './http/fast-path.js';
import { FragmentsEndpointController } from './http/fragments-endpoint.controller.js';
import { FastHitEvents } from './http/fast-hit-events.js';
import { DependencyTracking } from './dependencies/dependency-tracking.js';
import { PageFragments } from './fragments/page-fragments.js';
import { InvalidationEvents } from './observation/invalidation-events.js';
import { PageStats } from './observation/page-stats.js';
import { OpenTelemetryMetrics } from './observation/open-telemetry-metrics.js';
import { CachePageHealthIndicator } from './observation/cache-page-health.indicator.js';
import { FastPathPolicy } from './http/fast-path-policy.js';
import { MiddlewareInspector } from './http/middleware/middleware-inspector.js';
import { loadMikroOrmMiddleware } from './orm/mikro-orm-middleware.loader.js';
import type { CachePageModuleOptions } from './interfaces/cache-page-module-options.interface.js';
import { CachePageOrmRegistrar } from './orm/cache-page-orm.registrar.js';
import { createPageStore } from './store/create-page-store.js';
import { PageStore } from './store/page-store.js';

/** The token `@nestjs/cache-manager` provides its `Cache` under. */
const NEST_CACHE_MANAGER = 'CACHE_MANAGER';

const providers: Provider[] = [
  {
    provide: RESOLVED_CACHE_PAGE_OPTIONS,
    useFactory: (options: CachePageModuleOptions) => resolveCachePageOptions(options),
    inject: [CACHE_PAGE_MODULE_OPTIONS],
  },
  {
    provide: PageStore,
    useFactory: (options: ResolvedCachePageOptions, appCache?: Cache) => createPageStore(options, appCache),
    inject: [RESOLVED_CACHE_PAGE_OPTIONS, { token: NEST_CACHE_MANAGER, optional: true }],
  },
  CachePageService,
  CachePageInterceptor,
  { provide: APP_INTERCEPTOR, useExisting: CachePageInterceptor },
  CachePageOrmRegistrar,
  AppPathMapper,
  AppRoutes,
  CachePageStartupLog,
  { provide: LIBRARY_SKIPPABLE_MIDDLEWARE, useFactory: loadMikroOrmMiddleware, inject: [ModulesContainer] },
  MiddlewareInspector,
  FastPathPolicy,
  FastHitEvents,
  InvalidationEvents,
  DependencyTracking,
  PageFragments,
  PageStats,
  OpenTelemetryMetrics,
  CachePageHealthIndicator,
  EdgeCaches,
  ReadYourWrites,
  WarmUp,
  FastPath,
];

/**
 * Caches whole GET pages forever and invalidates them when the data behind them changes.
 * Import it once, in the root module. It is global by default (`isGlobal: true`), so
 * `CachePageService` can be injected anywhere.
 *
 * For example: `CachePageModule.forRoot({ ignorePaths: ['/admin', '/account'] })`
 *
 * @publicApi
 */
// PageStore and the options are exported so that `@UseInterceptors(CachePageInterceptor)` can build
// the interceptor in any module.
@Module({
  imports: [DiscoveryModule],
  providers,
  exports: [
    CachePageService,
    CachePageHealthIndicator,
    CachePageInterceptor,
    PageStore,
    FastPathPolicy,
    RESOLVED_CACHE_PAGE_OPTIONS,
  ],
})
export class CachePageModule extends ConfigurableCachePageModule {
  /** Registers the module with static options (all optional). */
  static forRoot(options: typeof CACHE_PAGE_OPTIONS_TYPE = {}): DynamicModule {
    return withExtras(super.forRoot(options), options);
  }

  /** Registers the module with options from `useFactory`, `useClass` or `useExisting`. */
  static forRootAsync(options: typeof CACHE_PAGE_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withExtras(super.forRootAsync(options), options);
  }
}

// Applied here rather than through setExtras' transform, which sees the wrong values in
// forRootAsync (nestjs/nest#15661).
function withExtras(
  definition: DynamicModule,
  { isGlobal = true, interceptor, clientFragments = false }: CachePageModuleExtras,
): DynamicModule {
  const interceptorOverride = interceptor ? [{ provide: CachePageInterceptor, useClass: interceptor }] : [];
  return {
    ...definition,
    global: isGlobal,
    providers: [...(definition.providers ?? []), ...interceptorOverride],
    controllers: clientFragments ? [FragmentsEndpointController] : [],
  };
}
