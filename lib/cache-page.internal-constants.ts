/** Token of the validated options (with defaults applied). Not exported from the package. */
export const RESOLVED_CACHE_PAGE_OPTIONS = Symbol('cache-page:resolved-options');
