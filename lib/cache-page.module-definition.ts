import { ConfigurableModuleBuilder, type Type } from '@nestjs/common';
import type { CachePageInterceptor } from './http/cache-page.interceptor.js';
import type { CachePageModuleOptions } from './interfaces/cache-page-module-options.interface.js';

/**
 * Implemented by a class passed to `forRootAsync({ useClass })` or `useExisting`.
 *
 * @publicApi
 */
export interface CachePageOptionsFactory {
  createCachePageOptions(): CachePageModuleOptions | Promise<CachePageModuleOptions>;
}

/**
 * Registration settings of `forRoot()`/`forRootAsync()` that shape the module itself rather
 * than its behaviour.
 *
 * @publicApi
 */
export interface CachePageModuleExtras {
  /**
   * Register the module globally, so `CachePageService` can be injected anywhere.
   * @default true
   */
  isGlobal?: boolean;
  /**
   * A subclass of `CachePageInterceptor` (overriding `isRequestCacheable()` or `trackBy()`) to
   * bind in its place.
   * @default CachePageInterceptor
   */
  interceptor?: Type<CachePageInterceptor>;
  /**
   * Register `GET /_cache-page/fragments.js` and `GET /_cache-page/fragments` (under the app's
   * global prefix), which fill the fragments of `@CachePage({ fragments: 'client' })` pages in the
   * browser.
   * @default false
   */
  clientFragments?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableCachePageModule,
  MODULE_OPTIONS_TOKEN: CACHE_PAGE_MODULE_OPTIONS,
  OPTIONS_TYPE: CACHE_PAGE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CACHE_PAGE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CachePageModuleOptions>({ moduleName: 'CachePage' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCachePageOptions' as keyof CachePageOptionsFactory)
  .setExtras<CachePageModuleExtras>({ isGlobal: true }, (definition) => definition)
  .build();
