import type { ModulesContainer } from '@nestjs/core';
import { MetadataScanner } from '@nestjs/core';
import { CACHE_PAGE_METADATA } from '../cache-page.constants.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type { CachePageRouteOptions } from '../interfaces/cache-page-module-options.interface.js';

/**
 * The longest grace any route of the app has (`staleWhileRevalidate`, `staleIfError`, from the
 * module options and every `@CachePage()` on a controller or a handler), ms; `0` when none has.
 */
export function longestGrace(options: ResolvedCachePageOptions, modules: ModulesContainer): number {
  let longest = Math.max(options.staleWhileRevalidate, options.staleIfError);
  const windowsOf = (target: object) => {
    const route = Reflect.getMetadata(CACHE_PAGE_METADATA, target) as CachePageRouteOptions | undefined;
    longest = Math.max(longest, route?.staleWhileRevalidate ?? 0, route?.staleIfError ?? 0);
  };
  const scanner = new MetadataScanner();
  for (const module of modules.values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      windowsOf(metatype);
      const prototype = metatype.prototype as Record<string, object>;
      for (const method of scanner.getAllMethodNames(prototype)) windowsOf(prototype[method]!);
    }
  }
  return longest;
}
