/**
 * Metadata key written by `@CachePage()`: the route opts in (and may carry per-route options).
 *
 * @publicApi
 */
export const CACHE_PAGE_METADATA = 'cache_page:cache';

/**
 * Metadata key written by `@NoCachePage()`: the route is never cached.
 *
 * @publicApi
 */
export const NO_CACHE_PAGE_METADATA = 'cache_page:skip';

/**
 * Metadata key written by `@DependentPaths()` on an entity class: changes to its instances
 * invalidate the pages their `dependentPaths()` name.
 *
 * @publicApi
 */
export const DEPENDENT_PATHS_METADATA = 'cache_page:dependent_paths';

/**
 * Header set on every response the cache served (`HIT`) or recorded (`MISS`).
 *
 * @publicApi
 */
export const CACHE_STATUS_HEADER = 'X-Cache';

/** Logger context used by every log line of the module. */
export const LOGGER_CONTEXT = 'CachePageModule';

/** Nest's own route metadata keys (identical in @nestjs/common 10, 11 and 12). */
export const NEST_RENDER_METADATA = '__renderTemplate__';
export const NEST_SSE_METADATA = '__sse__';
export const NEST_ROUTE_ARGS_METADATA = '__routeArguments__';
export const NEST_RESPONSE_PASSTHROUGH_METADATA = '__responsePassthrough__';
