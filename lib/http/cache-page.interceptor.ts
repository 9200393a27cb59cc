import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { CACHE_STATUS_HEADER } from '../cache-page.constants.js';
import { RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { DependencyTracking } from '../dependencies/dependency-tracking.js';
import { PageStats, RouteCounters } from '../observation/page-stats.js';
import { ReadYourWrites } from '../grace/read-your-writes.js';
import { isWarmRequest } from '../warm-up/warm-request.js';
import { WarmUp } from '../warm-up/warm-up.js';
import { PageStore, type PageLookup } from '../store/page-store.js';
import { thenMaybe } from '../utils/maybe-promise.js';
import { EdgeCaches } from '../edge/edge-caches.js';
import { PageFragments } from '../fragments/page-fragments.js';
import { FastPathPolicy } from './fast-path-policy.js';
import { holdForFragments } from './fragment-hold.js';
import { fillOnSend } from './fragment-send.js';
import { handedLookup } from './handed-lookup.js';
import { rawResponse, type Exchange, type HttpRequest, type HttpResponse } from './http-exchange.js';
import { IgnoreRules } from './ignore-rules.js';
import { InFlightRenders } from './in-flight-renders.js';
import { MissRenderer } from './miss-render.js';
import { markNeverServed } from './no-store-uncached.js';
import { bypassesCache } from './request-eligibility.js';
import { HeaderInputs } from './request-inputs.js';
import { requestOrigin, RequestPageKeys } from './request-page-key.js';
import { routePatternOf } from './request-route.js';
import { replayHit } from './response-replay.js';
import { StaleAnswers } from './stale-answers.js';
import { readRoutePolicy, uncachedReason, type RoutePolicy } from './route-policy.js';
import { joinRender } from './variant-join.js';

/** Requests some instance of the interceptor already took in hand (shared by every instance). */
const seenRequests = new WeakSet<object>();
/** Where counts go when the module's stats are not there (an interceptor built outside the module). */
const UNCOUNTED = new RouteCounters();

/**
 * Serves GET/HEAD pages from the cache and stores the final bytes of misses. Bound globally by
 * `CachePageModule`; guards still run before it, pipes and handlers only on a miss.
 *
 * Subclass it to change which requests are cached (`isRequestCacheable`) or what they are keyed
 * by (`trackBy`), and pass the subclass as `CachePageModule.forRoot({ interceptor })`.
 *
 * @publicApi
 */
@Injectable()
export class CachePageInterceptor implements NestInterceptor {
  /** Methods answered from the cache. HEAD reads the GET entry and never writes one. */
  protected readonly allowedMethods: readonly string[] = ['GET', 'HEAD'];

  private readonly policies = new WeakMap<Function, RoutePolicy>();
  // A property, so that subclasses keep the constructor they have.
  @Optional() @Inject(FastPathPolicy) private readonly fastPaths?: FastPathPolicy;
  @Optional() @Inject(PageStats) private readonly stats?: PageStats;
  @Optional() @Inject(DependencyTracking) private readonly tracking?: DependencyTracking;
  @Optional() @Inject(PageFragments) private readonly fragments?: PageFragments;
  @Optional() @Inject(EdgeCaches) private readonly edgeCaches?: EdgeCaches;
  @Optional() @Inject(ReadYourWrites) private readonly writes?: ReadYourWrites;
  @Optional() @Inject(WarmUp) private readonly warmUp?: WarmUp;
  private readonly renders = new InFlightRenders();
  private readonly staleAnswers: StaleAnswers;
  private readonly keys: RequestPageKeys;
  private readonly misses: MissRenderer;

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) protected readonly options: ResolvedCachePageOptions,
    protected readonly store: PageStore,
    protected readonly reflector: Reflector,
    protected readonly httpAdapterHost: HttpAdapterHost,
  ) {
    this.keys = new RequestPageKeys(
      options.keyPrefix,
      new IgnoreRules(options.ignorePaths),
      store.paths,
      store.keyBuckets,
    );
    this.misses = new MissRenderer(
      options,
      store,
      httpAdapterHost,
      this.renders,
      () => this.tracking,
      () => this.fragments,
      () => this.edgeCaches?.headers,
    );
    this.staleAnswers = new StaleAnswers(store, this.renders, {
      adapter: () => this.adapter,
      fragments: () => this.fragments,
      edge: () => this.edgeCaches,
      writes: () => this.writes,
      warmUp: () => this.warmUp,
    });
  }

  intercept(
    context: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    // Bound twice (globally and by @UseInterceptors), the inner binding would wait for the
    // outer one's render, which waits for the inner one: only the first binding acts.
    if (seenRequests.has(request)) return next.handle();
    seenRequests.add(request);
    if (!this.options.enabled) return this.uncached(request, http.getResponse(), next);
    const policy = this.routePolicy(context);
    if (!policy.cacheable || !this.isRequestCacheable(context)) {
      if (policy.skipped || this.bypasses(request)) {
        markNeverServed(this.adapter, http.getResponse(), this.options.noStoreUncached);
      }
      this.countBypass(request, policy);
      const response = http.getResponse<HttpResponse>();
      if (this.writes?.active && !this.allowedMethods.includes(this.adapter.getRequestMethod(request))) {
        return this.writes.watch(response, isEncrypted(request), () =>
          this.uncached(request, response, next),
        );
      }
      return this.uncached(request, response, next);
    }
    const url = this.trackBy(context);
    if (url === undefined) {
      this.countersOf(routePatternOf(request)).bypass('untracked');
      return this.uncached(request, http.getResponse(), next);
    }
    const route = routePatternOf(request);
    const counters = this.countersOf(route);
    const origin = requestOrigin(request.headers ?? {}, isEncrypted(request));
    const key = this.keys.of(origin, url);
    if (key.ignored) {
      counters.bypass('ignored-path');
      markNeverServed(this.adapter, http.getResponse(), this.options.noStoreUncached);
      return this.uncached(request, http.getResponse(), next);
    }

    const inputs = new HeaderInputs(request.headers ?? {}, this.options.languages);
    const response = http.getResponse<HttpResponse>();
    const exchange: Exchange = { key, policy, request, response, inputs, next, route, counters, origin, url };
    const handed = handedLookup(request, key.entry);
    const grace = policy.grace !== undefined;
    // The fast path looked up without grace: a page it did not find is looked up again, with it.
    if (handed && (!grace || handed.lookup?.page)) return this.answer(exchange, handed.lookup);
    return thenMaybe(this.store.lookup(key, inputs, grace), (lookup) => this.answer(exchange, lookup));
  }

  /** The hooks a subclass overrides (its decisions cannot be made before the framework). */
  overriddenHooks(): string[] {
    const hooks = ['trackBy', 'isRequestCacheable'] as const;
    return hooks
      .filter((hook) => this[hook] !== CachePageInterceptor.prototype[hook])
      .map((hook) => `${hook}()`);
  }

  /**
   * Whether this request may be answered from, and stored in, the cache. By default: an allowed
   * method, no credentials, no body, none of the `bypassCookies`.
   */
  protected isRequestCacheable(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    return (
      this.allowedMethods.includes(this.adapter.getRequestMethod(request)) &&
      !bypassesCache(request.headers, this.options.bypassCookies)
    );
  }

  /**
   * The URL (path plus query string) a page is keyed by, or `undefined` to leave the request
   * alone. By default the URL as requested, global prefix included.
   */
  protected trackBy(context: ExecutionContext): string | undefined {
    return this.adapter.getRequestUrl(context.switchToHttp().getRequest());
  }

  private get adapter() {
    return this.httpAdapterHost.httpAdapter;
  }

  /** A GET or HEAD that bypasses the cache for who sent it (credentials, a body, a bypass cookie). */
  private bypasses(request: HttpRequest): boolean {
    return (
      this.allowedMethods.includes(this.adapter.getRequestMethod(request)) &&
      bypassesCache(request.headers, this.options.bypassCookies)
    );
  }

  private countersOf(route: string | undefined): RouteCounters {
    return this.stats?.route(route) ?? UNCOUNTED;
  }

  /** Counts a GET or HEAD the route or the request keeps away from the cache, with why. */
  private countBypass(request: HttpRequest, policy: RoutePolicy): void {
    if (!this.allowedMethods.includes(this.adapter.getRequestMethod(request))) return;
    const reason = uncachedReason(policy, request.headers, this.options.bypassCookies);
    this.countersOf(routePatternOf(request)).bypass(reason);
  }

  private routePolicy(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      const controller = context.getClass();
      const fast = this.fastPaths?.allows(handler, controller, isCachePageInterceptor) ?? false;
      policy = readRoutePolicy(this.reflector, handler, controller, this.options, fast);
      this.policies.set(handler, policy);
    }
    return policy;
  }

  /**
   * Serves the page; or, in a grace, the page one change behind while another render refreshes
   * it; or joins a render already running for it; or renders and stores it.
   */
  private answer(
    exchange: Exchange,
    lookup: PageLookup | undefined,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    if (!lookup) {
      exchange.counters.bypass(this.store.unavailableReason(exchange.key));
      return this.uncached(exchange.request, exchange.response, exchange.next);
    }
    if (exchange.policy.warmUp && this.warmUp?.on) this.recordServed(exchange, lookup);
    if (lookup.page) {
      exchange.counters.hits += 1;
      const edge = this.edgeCaches?.headers?.forHit(lookup.page.entry.g);
      return replayHit(this.adapter, this.store, exchange, lookup.page, this.fragments, edge);
    }
    return this.staleAnswers.answer(exchange, lookup, () => this.renderOrJoin(exchange, lookup));
  }

  /** Remembers a page a visitor was served (or is about to be), for warm-up. */
  private recordServed(exchange: Exchange, lookup: PageLookup): void {
    if (isWarmRequest(exchange.request.headers)) return;
    const entry = lookup.page?.entry ?? lookup.stale?.page.entry;
    this.warmUp!.pages.served(
      exchange.key.entry,
      exchange.origin,
      exchange.url,
      exchange.key.epoch,
      entry?.k,
    );
  }

  private renderOrJoin(
    exchange: Exchange,
    lookup: PageLookup,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    // No await between this join and the begin() in MissRenderer.render, or two lookups
    // finishing together could both miss the other's render.
    const joined = joinRender(this.renders, lookup, exchange.inputs);
    if (joined) {
      return joined.then((page) => {
        if (!page) {
          exchange.counters.bypass('render-in-progress');
          return this.uncached(exchange.request, exchange.response, exchange.next);
        }
        exchange.counters.hits += 1;
        // A render that was running may have begun before an invalidation: no edge keeps it.
        const edge = this.edgeCaches?.headers?.uncacheable;
        return replayHit(this.adapter, this.store, exchange, page, this.fragments, edge);
      });
    }
    if (this.adapter.getRequestMethod(exchange.request) !== 'GET') {
      exchange.counters.misses += 1;
      exchange.counters.notStore('head');
      this.adapter.setHeader(exchange.response, CACHE_STATUS_HEADER, 'MISS');
      return this.uncached(exchange.request, exchange.response, exchange.next);
    }
    return this.misses.render(exchange, lookup, this.fastPaths);
  }

  /** Lets the route answer on its own; its fragments, if it has some, are still filled. */
  private uncached(request: HttpRequest, response: HttpResponse, next: CallHandler): Observable<unknown> {
    if (this.fragments?.inUse) {
      const visitor = {
        fragments: this.fragments,
        request,
        response,
        acceptEncoding: request.headers?.['accept-encoding'],
      };
      holdForFragments(rawResponse(response), visitor);
      fillOnSend(this.adapter, response, visitor);
    }
    return next.handle();
  }
}

/** Whether an interceptor (an instance or a class) is the page cache's own. */
function isCachePageInterceptor(interceptor: unknown): boolean {
  return (
    interceptor instanceof CachePageInterceptor ||
    interceptor === CachePageInterceptor ||
    (typeof interceptor === 'function' && interceptor.prototype instanceof CachePageInterceptor)
  );
}

function isEncrypted(request: HttpRequest): boolean {
  return Boolean(request.socket?.encrypted ?? request.raw?.socket?.encrypted);
}
