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

/**
 * Metadata key written by `@PageFragment()` on a provider method: `{ name, fallback }`.
 *
 * @publicApi
 */
export const PAGE_FRAGMENT_METADATA = 'cache_page:fragment';
