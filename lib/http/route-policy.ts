import type { Reflector } from '@nestjs/core';
import { CACHE_PAGE_METADATA, NO_CACHE_PAGE_METADATA } from '../cache-page.constants.js';
import {
  NEST_RENDER_METADATA,
  NEST_RESPONSE_PASSTHROUGH_METADATA,
  NEST_ROUTE_ARGS_METADATA,
  NEST_SSE_METADATA,
} from '../cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type {
  CachePageRouteOptions,
  DependencyMode,
} from '../interfaces/cache-page-module-options.interface.js';
import type { IncomingHttpHeaders } from 'node:http';
import { bypassReason } from './request-eligibility.js';

/** How the cache treats one route; computed once per handler from its metadata. */
export interface RoutePolicy {
  readonly cacheable: boolean;
  /** `@NoCachePage()`: never served from the cache (with `noStoreUncached`, browsers are told so too). */
  readonly skipped: boolean;
  /** Lifetime of this route's pages, ms (`0` = forever). */
  readonly ttl: number;
  /** `@Render()` route: a hit must answer in place of the template engine. */
  readonly renders: boolean;
  /** `@Res()`/`@Next()` without passthrough: Nest sends nothing, a hit must send itself. */
  readonly sendsOwnResponse: boolean;
  /** `@CachePage({ public: true })`: per-visitor state the render reads does not make it personal. */
  readonly public: boolean;
  /** Its hits may be answered before the framework (`fastPath`, no guards or other interceptors). */
  readonly fast: boolean;
  /** `Controller.method`, for the log. */
  readonly route: string;
  /** `@Sse()`: never cached. */
  readonly streams: boolean;
  /** `'auto'`: the page also depends on what its render reads through MikroORM. */
  readonly dependencies: DependencyMode;
  /** The `Cache-Control` its pages get when the route sets none (`false`: none). */
  readonly cacheControl: string | false;
  /** Fill its fragments in the browser (`@CachePage({ fragments: 'client' })`). */
  readonly clientFragments: boolean;
  /** How long after an invalidation its previous page may be served (ms); `undefined`: never. */
  readonly grace: PageGrace | undefined;
  /** Its pages are warmed after an invalidation (`warmUp`). */
  readonly warmUp: boolean;
}

/** A route's grace windows, ms from the invalidation. */
export interface PageGrace {
  /** While one render refreshes the page. */
  readonly whileRevalidate: number;
  /** When a visitor's render fails. */
  readonly ifError: number;
}

const RESPONSE_PARAM = '1:';
const NEXT_PARAM = '2:';

/** Reads a route's cache policy from its metadata (handler wins over controller). */
export function readRoutePolicy(
  reflector: Reflector,
  handler: Function,
  controller: Function,
  options: ResolvedCachePageOptions,
  fastAllowed: boolean,
): RoutePolicy {
  const targets = [handler, controller];
  const skipped = reflector.getAllAndOverride<boolean>(NO_CACHE_PAGE_METADATA, targets) === true;
  const routeOptions = reflector.getAllAndOverride<CachePageRouteOptions | undefined>(
    CACHE_PAGE_METADATA,
    targets,
  );
  const streams = Reflect.getMetadata(NEST_SSE_METADATA, handler) !== undefined;
  return {
    cacheable: !skipped && !streams && (options.global || routeOptions !== undefined),
    skipped,
    ttl: routeOptions?.ttl ?? options.ttl,
    renders: Reflect.getMetadata(NEST_RENDER_METADATA, handler) !== undefined,
    sendsOwnResponse: sendsOwnResponse(controller, handler.name),
    public: routeOptions?.public === true,
    fast: fastAllowed && routeOptions?.fastPath !== false,
    route: `${controller.name}.${handler.name}`,
    streams,
    dependencies: routeOptions?.dependencies ?? options.dependencies,
    cacheControl: routeOptions?.cacheControl ?? options.cacheControl,
    clientFragments: routeOptions?.fragments === 'client',
    grace: graceOf(
      routeOptions?.staleWhileRevalidate ?? options.staleWhileRevalidate,
      routeOptions?.staleIfError ?? options.staleIfError,
    ),
    warmUp: routeOptions?.warmUp ?? options.warmUp !== undefined,
  };
}

function graceOf(whileRevalidate: number, ifError: number): PageGrace | undefined {
  return whileRevalidate > 0 || ifError > 0 ? { whileRevalidate, ifError } : undefined;
}

/**
 * Why a GET or HEAD does not go through the cache, for `stats()`: the route (`@NoCachePage()`,
 * `@Sse()`, not opted in with `global: false`) or the request (credentials, a body, a bypass
 * cookie; `not-cacheable` when an interceptor subclass's `isRequestCacheable()` said no).
 */
export function uncachedReason(
  policy: RoutePolicy,
  headers: IncomingHttpHeaders | undefined,
  bypassCookies: readonly string[],
): string {
  if (policy.skipped) return 'no-cache-route';
  if (policy.streams) return 'stream';
  if (!policy.cacheable) return 'not-opted-in';
  return bypassReason(headers, bypassCookies) ?? 'not-cacheable';
}

function sendsOwnResponse(controller: Function, methodName: string): boolean {
  const params: Record<string, unknown> =
    Reflect.getMetadata(NEST_ROUTE_ARGS_METADATA, controller, methodName) ?? {};
  const injectsResponse = Object.keys(params).some(
    (key) => key.startsWith(RESPONSE_PARAM) || key.startsWith(NEXT_PARAM),
  );
  return (
    injectsResponse &&
    Reflect.getMetadata(NEST_RESPONSE_PASSTHROUGH_METADATA, controller, methodName) !== true
  );
}
