import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CachePageModuleOptions } from './interfaces/cache-page-module-options.interface.js';

/**
 * Implemented by a class passed to `forRootAsync({ useClass })` or `useExisting`.
 *
 * @publicApi
 */
export interface CachePageOptionsFactory {
  createCachePageOptions(): CachePageModuleOptions | Promise<CachePageModuleOptions>;
}

export const {
  ConfigurableModuleClass: ConfigurableCachePageModule,
  MODULE_OPTIONS_TOKEN: CACHE_PAGE_MODULE_OPTIONS,
  OPTIONS_TYPE: CACHE_PAGE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: CACHE_PAGE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CachePageModuleOptions>({ moduleName: 'CachePage' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCachePageOptions' as keyof CachePageOptionsFactory)
  .setExtras({ isGlobal: true }, (definition) => definition)
  .build();
