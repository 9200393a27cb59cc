import { Inject, Injectable } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { NEST_GUARDS_METADATA, RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';

/**
 * Which routes' hits may be answered before the framework (`fastPath`): no guard may apply (the
 * app's, a controller's or the route's: a guard can refuse any request), and no global
 * interceptor besides the page cache's own (one may run outside it, on every hit). Interceptors
 * of a controller or route run inside the cache's global one, which every hit skips anyway.
 */
@Injectable()
export class FastPathPolicy {
  private readonly verdicts = new WeakMap<Function, boolean>();

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly config: ApplicationConfig,
  ) {}

  /** Whether hits of `handler` (of `controller`) may take the fast path; `ours` tells the cache's own interceptor. */
  allows(handler: Function, controller: Function, ours: (interceptor: unknown) => boolean): boolean {
    if (!this.options.fastPath) return false;
    let verdict = this.verdicts.get(handler);
    if (verdict === undefined) {
      verdict = !this.hasGuards(handler, controller) && !this.hasOtherGlobalInterceptors(ours);
      this.verdicts.set(handler, verdict);
    }
    return verdict;
  }

  private hasGuards(handler: Function, controller: Function): boolean {
    const global = this.config.getGlobalGuards().length + this.config.getGlobalRequestGuards().length;
    return global > 0 || declared(NEST_GUARDS_METADATA, handler, controller).length > 0;
  }

  private hasOtherGlobalInterceptors(ours: (interceptor: unknown) => boolean): boolean {
    const global = [
      ...this.config.getGlobalInterceptors(),
      ...this.config.getGlobalRequestInterceptors().map((wrapper) => wrapper.metatype ?? wrapper),
    ];
    return global.some((interceptor) => !ours(interceptor));
  }
}

function declared(key: string, handler: Function, controller: Function): unknown[] {
  return [
    ...((Reflect.getMetadata(key, controller) as unknown[]) ?? []),
    ...((Reflect.getMetadata(key, handler) as unknown[]) ?? []),
  ];
}
