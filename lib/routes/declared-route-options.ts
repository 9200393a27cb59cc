import { MetadataScanner, type ModulesContainer } from '@nestjs/core';
import { CACHE_PAGE_METADATA } from '../cache-page.constants.js';
import type { CachePageRouteOptions } from '../interfaces/cache-page-module-options.interface.js';

/** Every `@CachePage()` options object the app's controllers declare, on a class or a handler. */
export function* declaredRouteOptions(modules: ModulesContainer): Iterable<CachePageRouteOptions> {
  const scanner = new MetadataScanner();
  for (const module of modules.values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const prototype = metatype.prototype as Record<string, object>;
      const targets = [metatype, ...scanner.getAllMethodNames(prototype).map((method) => prototype[method]!)];
      for (const target of targets) {
        const options = Reflect.getMetadata(CACHE_PAGE_METADATA, target) as CachePageRouteOptions | undefined;
        if (options) yield options;
      }
    }
  }
}
