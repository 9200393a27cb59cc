import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { tap, type Observable } from 'rxjs';
import { CACHE_STATUS_HEADER } from '../cache-page.constants.js';
import { RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type { PageEntry } from '../store/page-entry.js';
import { pageKeyFromUrl, type PageKey } from '../store/page-key.js';
import { PageStore, type PageLookup } from '../store/page-store.js';
import { InFlightRenders } from './in-flight-renders.js';
import { headerNames, isPersonalRequest, isStreamingBody } from './request-rules.js';
import { toPageEntry } from './response-cacheability.js';
import { captureResponse } from './response-capture.js';
import { replayPage } from './response-replay.js';
import { readRoutePolicy, type RoutePolicy } from './route-policy.js';

interface HttpRequest {
  headers?: IncomingHttpHeaders;
}

interface HttpResponse {
  raw?: ServerResponse;
  getHeaders?: () => Record<string, unknown>;
}

/**
 * Serves GET/HEAD pages from the cache and stores the final bytes of misses. Bound globally by
 * `CachePageModule`; guards still run before it, pipes and handlers only on a miss.
 *
 * Subclass it to change which requests are cached (`isRequestCacheable`) or what they are keyed
 * by (`trackBy`), then provide the subclass in place of this class.
 *
 * @publicApi
 */
@Injectable()
export class CachePageInterceptor implements NestInterceptor {
  /** Methods answered from the cache. HEAD reads the GET entry and never writes one. */
  protected readonly allowedMethods: readonly string[] = ['GET', 'HEAD'];

  private readonly policies = new WeakMap<Function, RoutePolicy>();
  private readonly renders = new InFlightRenders();
  private readonly seenRequests = new WeakSet<object>();

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) protected readonly options: ResolvedCachePageOptions,
    protected readonly store: PageStore,
    protected readonly reflector: Reflector,
    protected readonly httpAdapterHost: HttpAdapterHost,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (!this.options.enabled || context.getType() !== 'http') return next.handle();
    const policy = this.routePolicy(context);
    if (!policy.cacheable || !this.isRequestCacheable(context)) return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const url = this.trackBy(context);
    if (url === undefined || this.seenRequests.has(request)) return next.handle();
    this.seenRequests.add(request);

    const key = pageKeyFromUrl(this.options.keyPrefix, 'GET', url);
    if (this.isIgnoredPath(key)) return next.handle();
    const lookup = await this.store.lookup(key);
    if (!lookup) return next.handle();

    const response = context.switchToHttp().getResponse<HttpResponse>();
    if (lookup.entry) return this.replay(response, lookup.entry, policy, request);
    // No await between this join and the begin() in renderAndStore, or two lookups finishing
    // together could both miss the other's render.
    const running = this.renders.join(key.entry, lookup.pathEpoch, lookup.globalEpoch);
    if (running) return this.replayRunning(running, response, policy, request, next);
    if (this.adapter.getRequestMethod(request) !== 'GET') {
      this.adapter.setHeader(response, CACHE_STATUS_HEADER, 'MISS');
      return next.handle();
    }
    return this.renderAndStore(key, lookup, policy, response, next);
  }

  /**
   * Whether this request may be answered from, and stored in, the cache. By default: an allowed
   * method, no `Authorization` header, none of the `bypassCookies`.
   */
  protected isRequestCacheable(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    return (
      this.allowedMethods.includes(this.adapter.getRequestMethod(request)) &&
      !isPersonalRequest(request.headers, this.options.bypassCookies)
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

  private routePolicy(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      policy = readRoutePolicy(this.reflector, handler, context.getClass(), this.options);
      this.policies.set(handler, policy);
    }
    return policy;
  }

  private isIgnoredPath(key: PageKey): boolean {
    return this.options.ignorePaths.some(
      (pattern) => pattern.test(key.path) || pattern.test(key.normalisedPath),
    );
  }

  private replay(response: HttpResponse, page: PageEntry, policy: RoutePolicy, request: HttpRequest) {
    return replayPage(this.adapter, response, page, policy, request.headers?.['if-none-match']);
  }

  private async replayRunning(
    running: Promise<PageEntry | undefined>,
    response: HttpResponse,
    policy: RoutePolicy,
    request: HttpRequest,
    next: CallHandler,
  ): Promise<Observable<unknown>> {
    const page = await running;
    return page ? this.replay(response, page, policy, request) : next.handle();
  }

  private async renderAndStore(
    key: PageKey,
    lookup: PageLookup,
    policy: RoutePolicy,
    response: HttpResponse,
    next: CallHandler,
  ): Promise<Observable<unknown>> {
    const render = this.renders.begin(key.entry, lookup.pathEpoch, lookup.globalEpoch);
    const epochs = await this.store.beginRender(key, lookup);
    if (!epochs) {
      render.finish(undefined);
      return next.handle();
    }
    const preexisting = headerNames(response);
    this.adapter.setHeader(response, CACHE_STATUS_HEADER, 'MISS');
    const capture = captureResponse(response.raw ?? (response as unknown as ServerResponse));
    void capture.done.then((captured) => {
      const entry = captured && toPageEntry(captured, this.options.cacheableStatuses, preexisting, epochs);
      render.finish(entry);
      if (entry) void this.store.save(key, entry, policy.ttl);
    });
    return next.handle().pipe(
      tap({
        next: (value) => isStreamingBody(value) && capture.abandon(),
        error: () => capture.abandon(),
      }),
    );
  }
}
