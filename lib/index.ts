export * from './cache-page.constants.js';
export * from './cache-page.module.js';
export type { CachePageModuleExtras, CachePageOptionsFactory } from './cache-page.module-definition.js';
export { CACHE_PAGE_MODULE_OPTIONS } from './cache-page.module-definition.js';
export * from './cache-page.service.js';
export * from './decorators/index.js';
export * from './http/index.js';
export * from './interfaces/index.js';
