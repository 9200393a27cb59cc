/**
 * Token of the validated options (with defaults applied). Not exported from the package. A
 * registered symbol, so that the ESM and the CommonJS build of the package agree on it.
 */
export const RESOLVED_CACHE_PAGE_OPTIONS = Symbol.for('nestjs-cache-page:resolved-options');

/** Logger context used by every log line of the module. */
export const LOGGER_CONTEXT = 'CachePageModule';

/** Middleware classes of other libraries that the fast path may skip (MikroORM's request context). */
export const LIBRARY_SKIPPABLE_MIDDLEWARE = Symbol.for('nestjs-cache-page:library-skippable-middleware');

/** Nest's own route metadata keys (identical in @nestjs/common 10, 11 and 12). */
export const NEST_RENDER_METADATA = '__renderTemplate__';
export const NEST_SSE_METADATA = '__sse__';
export const NEST_ROUTE_ARGS_METADATA = '__routeArguments__';
export const NEST_RESPONSE_PASSTHROUGH_METADATA = '__responsePassthrough__';
export const NEST_VERSION_METADATA = '__version__';
export const NEST_MODULE_PATH_METADATA = '__module_path__';
export const NEST_GUARDS_METADATA = '__guards__';
export const NEST_PATH_METADATA = 'path';
export const NEST_METHOD_METADATA = 'method';
