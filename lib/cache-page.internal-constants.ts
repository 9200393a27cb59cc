/**
 * Token of the validated options (with defaults applied). Not exported from the package. A
 * registered symbol, so that the ESM and the CommonJS build of the package agree on it.
 */
export const RESOLVED_CACHE_PAGE_OPTIONS = Symbol.for('nestjs-cache-page:resolved-options');
