import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import {
  LOGGER_CONTEXT,
  NEST_GUARDS_METADATA,
  RESOLVED_CACHE_PAGE_OPTIONS,
} from '../cache-page.internal-constants.js';
import { fastPathKeptOffMessage } from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type { FastPage } from '../store/page-entry.js';
import type { HttpResponse } from './http-exchange.js';
import { MiddlewareInspector, type MiddlewareFindings } from './middleware/middleware-inspector.js';
import { replayableHeaders } from './page-draft.js';
import type { RoutePolicy } from './route-policy.js';

/**
 * Which pages' hits may be answered before the framework (`fastPath`). Per route: no guard may
 * apply (the app's, a controller's or the route's: a guard can refuse any request), and no global
 * interceptor besides the page cache's own (one may run outside it, on every hit). Interceptors
 * of a controller or route run inside the cache's global one, which every hit skips anyway. Per
 * render: nothing may have run before the route that is not safe to skip (see
 * `middleware/known-middleware.ts`); after session middleware, `'auto'` keeps requests with
 * cookies on the framework's path.
 */
@Injectable()
export class FastPathPolicy {
  private readonly verdicts = new WeakMap<Function, boolean>();
  private readonly reported = new Set<string>();
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly config: ApplicationConfig,
    private readonly middleware: MiddlewareInspector,
  ) {}

  /** Whether hits of `handler` (of `controller`) may take the fast path; `ours` tells the cache's own interceptor. */
  allows(handler: Function, controller: Function, ours: (interceptor: unknown) => boolean): boolean {
    if (this.options.fastPath === false) return false;
    let verdict = this.verdicts.get(handler);
    if (verdict === undefined) {
      verdict = !this.hasGuards(handler, controller) && !this.hasOtherGlobalInterceptors(ours);
      this.verdicts.set(handler, verdict);
    }
    return verdict;
  }

  /**
   * What a miss of a route with this `policy` records in its page for the fast path, as its render
   * begins: for whom the page may be answered before the framework, and the headers already on the
   * response (set by what ran before the route, which a fast hit skips); `undefined`: for nobody.
   */
  fastPageOf(request: object, response: HttpResponse, policy: RoutePolicy): FastPage | undefined {
    if (!policy.fast) return undefined;
    const audience = this.audienceOf(request, policy.route);
    return audience && { headers: replayableHeaders(response), audience };
  }

  /**
   * For whom the page a request of `route` is rendering may be answered before the framework,
   * given what ran before the route for it; `undefined`: for nobody (said once per route).
   */
  private audienceOf(request: object, route: string): FastPage['audience'] | undefined {
    let findings: MiddlewareFindings;
    try {
      findings = this.middleware.inspect(request);
    } catch (error) {
      // The framework's internals changed shape: then nothing is known, and nothing is skipped.
      findings = { kind: 'unknown', blockers: [`(the middleware could not be read: ${String(error)})`] };
    }
    const { kind, blockers } = findings;
    if (kind === 'safe') return 'all';
    if (kind === 'conditional') return this.options.fastPath === true ? 'all' : 'cookieless';
    if (!this.reported.has(route)) {
      this.reported.add(route);
      this.logger.log(fastPathKeptOffMessage(route, blockers));
    }
    return undefined;
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
