import type { ModulesContainer } from '@nestjs/core';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { declaredRouteOptions } from '../routes/declared-route-options.js';

/**
 * The longest grace any route of the app has (`staleWhileRevalidate`, `staleIfError`, from the
 * module options and every `@CachePage()`), ms; `0` when none has.
 */
export function longestGrace(options: ResolvedCachePageOptions, modules: ModulesContainer): number {
  let longest = Math.max(options.staleWhileRevalidate, options.staleIfError);
  for (const route of declaredRouteOptions(modules)) {
    longest = Math.max(longest, route.staleWhileRevalidate ?? 0, route.staleIfError ?? 0);
  }
  return longest;
}
