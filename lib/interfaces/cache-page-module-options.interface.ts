import type { Cache } from 'cache-manager';
import type { Type } from '@nestjs/common';
import type { EdgePurger } from '../edge/edge-purger.js';

/**
 * A rule of `ignorePaths`: a string names a path and everything under it (`'/account'`), a
 * RegExp is matched against the request path (without query string) as it is.
 */
export type PathPattern = RegExp | string;

/** Any entity class, whatever its constructor's parameters. */
export type EntityClass = abstract new (...args: never[]) => unknown;

/**
 * What the module needs of a MikroORM instance (6.x or 7.x): the `MikroORM` object itself, as
 * `MikroORM.init()` returns it or `@mikro-orm/nestjs` provides it.
 *
 * @publicApi
 */
export interface CachePageOrm {
  readonly em: { getEventManager(): { registerSubscriber(subscriber: never): void } };
}

/**
 * Options of `CachePageModule.forRoot()` / `forRootAsync()`.
 *
 * @publicApi
 */
export interface CachePageModuleOptions {
  /**
   * Paths that are never stored **and never served** from the cache. A string names a path and
   * everything under it (`'/account'`: `/account`, `/account/orders`, not `/accounts`); a RegExp
   * is matched as it is. Both are tried on the request path without its query string, as received
   * and normalised (decoded, lower-cased), so `/ADMIN/` cannot slip past `'/admin'`.
   * @default ['/admin']
   */
  ignorePaths?: PathPattern | PathPattern[];
  /**
   * Prefix of every key this module writes, so several apps can share one store.
   * @default 'cache-page:'
   */
  keyPrefix?: string;
  /**
   * Lifetime of a cached page in milliseconds. `0` means forever, whatever default TTL the
   * store has.
   * @default 0
   */
  ttl?: number;
  /**
   * The cache-manager `Cache` pages are stored in. When omitted, the app's global
   * `CACHE_MANAGER` (from `CacheModule.register({ isGlobal: true })`) is used; without one, a
   * bounded in-memory LRU of `maxEntries` keys.
   * @default the app's CACHE_MANAGER, else an in-memory LRU
   */
  cache?: Cache;
  /**
   * Size of the built-in in-memory LRU, in keys (pages plus one epoch key per path). Ignored when
   * a cache is given or found.
   * @default 10000
   */
  maxEntries?: number;
  /**
   * Bytes of page bodies held in this process: the built-in memory store's bodies, or, in front
   * of a shared store, the bodies kept so a hit does not fetch them again. Least recently used
   * bodies go first.
   * @default 134217728 (128 MiB)
   */
  maxBytes?: number;
  /**
   * Longest wait for one call to a shared store (Redis, any cache-manager store), ms. A request
   * whose store call takes longer is served uncached; after a few in a row the store is left
   * alone (requests served uncached at once) until a probe sees it answer again.
   * @default 250
   */
  storeTimeout?: number;
  /**
   * Shared stores only: keys nobody reads for this long expire, so pages of invalidated query
   * variants, deleted posts and crawlers' URLs never accumulate. A hit renews its page's keys, so
   * a page that is requested stays cached forever.
   * @default 604800000 (7 days)
   */
  reclaimAfter?: number;
  /**
   * Longest wait for an entity's `dependentPaths()` (when it returns a promise), ms. After it,
   * every page is invalidated instead and the write goes on: a slow or hung `dependentPaths()`
   * never holds a flush, a commit or a row lock.
   * @default 1000
   */
  dependentPathsTimeout?: number;
  /**
   * `true`: every GET route is cached unless `@NoCachePage()`. `false`: only `@CachePage()` routes.
   * @default true
   */
  global?: boolean;
  /**
   * `false` turns page caching off (for development); invalidation stays harmless.
   * @default true
   */
  enabled?: boolean;
  /**
   * Response statuses that are cached.
   * @default [200]
   */
  cacheableStatuses?: number[];
  /**
   * Requests carrying any of these cookies (for example a session cookie) bypass the cache:
   * nothing is served to them from it and nothing they render is stored.
   * @default []
   */
  bypassCookies?: string[];
  /**
   * Jimmy Page mode: any flushed change of any entity invalidates every page (one write),
   * except changes to `ignoreEntities`.
   * @default false
   */
  invalidateAllOnChange?: boolean;
  /**
   * What a page depends on:
   * - `'declared'`: the paths entities name in `dependentPaths()` (and `invalidate()` calls);
   * - `'auto'`: also what its render read through MikroORM (rows by key, what its queries selected,
   *   the tables of QueryBuilder and raw SQL reads), invalidated after any committed write that
   *   could change it, unit of work or not, with no `dependentPaths()` needed.
   *
   * `@CachePage({ dependencies })` sets it per route. README, "Automatic dependencies".
   * @default 'declared'
   */
  dependencies?: DependencyMode;
  /**
   * Entity classes (or class names) whose changes never trigger invalidation in Jimmy Page mode.
   * If such a class has `@DependentPaths()`, its own paths are still invalidated.
   * @default []
   */
  ignoreEntities?: Array<EntityClass | string>;
  /**
   * The MikroORM instances whose entity changes invalidate pages. When omitted, every `MikroORM`
   * provider of the app is watched (the default and all named contexts of `@mikro-orm/nestjs`,
   * or your own `{ provide: MikroORM, useValue }`). `[]` turns entity-driven invalidation off.
   *
   * For example: `forRootAsync({ inject: [MikroORM], useFactory: (orm: MikroORM) => ({ orm }) })`
   * @default every MikroORM provider of the app
   */
  orm?: CachePageOrm | CachePageOrm[];
  /**
   * The languages the app serves. A page that varies on `Accept-Language` (its route sent
   * `Vary: Accept-Language`, or its render read the header) is stored once per language of this
   * list, the best match of each request's preferences (RFC 4647 lookup), instead of once per
   * distinct header a browser sends. Empty: each request's first preference counts.
   *
   * For example: `languages: ['en', 'de', 'fr']`
   * @default []
   */
  languages?: string[];
  /**
   * Answer hits before the framework, in the HTTP server's own request listener, like a reverse
   * proxy in front of the app. Whether a page's hits may take this path is decided when it is
   * rendered, from what ran before its route:
   * - `'auto'`: only when everything that ran is known to be safe to skip for a cached GET
   *   (helmet, CORS, compression, cookie and body parsers, static files, Nest's own), or named in
   *   `skippableMiddleware`; after session middleware (express-session, passport's `initialize`,
   *   @fastify/session) only for requests without cookies;
   * - `true`: as `'auto'`, and session middleware is skipped for every request;
   * - `false`: never; every hit goes through the framework and the interceptor.
   *
   * Never fast: routes with a guard, every route while the app has another global interceptor,
   * routes with `@CachePage({ fastPath: false })`, and pages whose render ran middleware the
   * module does not know (an API-key check, a rate limiter, a request logger).
   * @default 'auto'
   */
  fastPath?: FastPathMode;
  /**
   * Middleware the fast path may skip although the module does not know it: names of middleware
   * functions (`app.use(function requestLogger…)`) and Fastify hooks, and middleware classes
   * bound with `MiddlewareConsumer`. Name only middleware that never refuses, redirects or
   * changes a GET request: it does not run for fast hits.
   *
   * For example: `skippableMiddleware: ['requestLogger', MetricsMiddleware]`
   * @default []
   */
  skippableMiddleware?: Array<string | Type>;
  /**
   * Browsers show pages again without asking the server on Back/Forward (from their
   * back/forward cache, or their disk cache), so a reader can see a page from before a change.
   * With `true`, cached HTML pages carry a small script that, when that happens, asks the server
   * whether the page changed (a `GET` with `If-None-Match`, answered from the cache) and reloads
   * it if it did.
   * @default false
   */
  reloadOnBack?: boolean;
  /**
   * Send `Cache-Control: no-store` on responses the cache never serves (ignored paths,
   * `@NoCachePage()` routes, requests with credentials or `bypassCookies`, personal pages), unless
   * they set their own `Cache-Control`, so browsers do not keep them either.
   * @default false
   */
  noStoreUncached?: boolean;
  /**
   * The `Cache-Control` sent with the pages the cache stores and serves (misses and hits) whose
   * route set none. The default, `'no-cache'`, lets browsers and proxies keep a page but makes
   * them ask before each use: the cache answers that revalidation with a `304` from the stored
   * page, and no copy one hop away is ever shown after an invalidation. A personal page (one the
   * cache would not store) gets `private` added. `false` sends nothing (proxies then pick their
   * own lifetime: stock Varnish keeps such a page 120 s, Fastly an hour). A longer value
   * (`'max-age=60'`) lets browsers show a page up to that long after it changed.
   * `@CachePage({ cacheControl })` sets it per route.
   * @default 'no-cache'
   */
  cacheControl?: string | false;
  /**
   * How long a `@PageFragment()` method may take for one response, in ms. Past it the response
   * goes out with the fragment's fallback in its place (and the failure is logged), so a slow
   * source of a greeting never holds a page up.
   * @default 250
   */
  fragmentTimeout?: number;
  /**
   * Edge caches (Varnish, Fastly, Cloudflare) kept in step with the store: shared cached pages
   * get a lifetime for the edge only (`Surrogate-Control`, `Cloudflare-CDN-Cache-Control`) and
   * their surrogate keys, and every committed invalidation is purged at the edge too. Off unless
   * given. See the README, "CDNs and Varnish".
   * @default undefined (no edge)
   */
  edge?: CachePageEdgeOptions;
  /**
   * Grace, opt-in: for this long after an invalidation (ms), a page's previous version may be
   * served (`X-Cache: STALE`) while one render, across instances, refreshes it. Never to the
   * visitor whose write caused the invalidation (a short-lived cookie marks them), never for
   * personal pages or pages with fragments, never across a restored store.
   * `@CachePage({ staleWhileRevalidate })` sets it per route. See the README, "Grace".
   * @default 0 (never stale)
   */
  staleWhileRevalidate?: number;
  /**
   * Grace for failures, opt-in: for this long after an invalidation (ms), a visitor whose render
   * of the page throws (a server error) gets the previous version (`X-Cache: STALE`) instead.
   * `@CachePage({ staleIfError })` sets it per route.
   * @default 0 (never stale)
   */
  staleIfError?: number;
  /**
   * Warm-up, opt-in: after an invalidation, pages that were hit within `hitWithin` are rendered
   * again in the background through the app's own address (guards, middleware, the cache), one
   * instance per page. `true` uses the defaults. `@CachePage({ warmUp: false })` keeps a route out.
   * See the README, "Warm-up".
   * @default false
   */
  warmUp?: boolean | CachePageWarmUpOptions;
  /**
   * Log every invalidation (entity, trigger, paths) at `debug` level.
   * @default false
   */
  debug?: boolean;
}

/** `dependencies`: `'declared'` (the default) or `'auto'`. */
export type DependencyMode = 'declared' | 'auto';

/** `fastPath`: `'auto'` (the default), `true` (also skip session middleware) or `false`. */
export type FastPathMode = 'auto' | boolean;

/**
 * Per-route options of `@CachePage()`.
 *
 * @publicApi
 */
export interface CachePageRouteOptions {
  /** Lifetime of this route's pages in milliseconds; `0` = forever. Overrides the module `ttl`. */
  ttl?: number;
  /**
   * The route's page is the same for every visitor even though its render reads per-visitor
   * state (the session, the user, cookies, a credential header): cache it for everyone. `Vary`
   * is still honoured.
   * @default false
   */
  public?: boolean;
  /**
   * `false` keeps this route's hits on the interceptor path (its middleware must run on every
   * request, whatever the module's `fastPath` says).
   * @default true
   */
  fastPath?: boolean;
  /** This route's `dependencies` mode; overrides the module's. */
  dependencies?: DependencyMode;
  /** This route's `cacheControl`; overrides the module's (see there). */
  cacheControl?: string | false;
  /**
   * Where this route's personal fragments are filled: `'server'` in every response (the page is
   * then `private`), or `'client'`: every response is the same page with a placeholder in each
   * place, which a CDN or proxy may keep, and the module's script fills them in the browser
   * (register it with `clientFragments: true`).
   * @default 'server'
   */
  fragments?: 'server' | 'client';
  /** This route's `staleWhileRevalidate`, ms; overrides the module's (see there). */
  staleWhileRevalidate?: number;
  /** This route's `staleIfError`, ms; overrides the module's (see there). */
  staleIfError?: number;
  /** `false` keeps this route's pages out of warm-up; `true` warms them even when the module's `warmUp` is off (with its defaults). */
  warmUp?: boolean;
}

/**
 * `warmUp`: how invalidated pages are rendered again in the background.
 *
 * @publicApi
 */
export interface CachePageWarmUpOptions {
  /**
   * Warm renders at once, per process.
   * @default 1
   */
  concurrency?: number;
  /**
   * From the commit to the first warm render, ms (a burst of writes then warms each page once).
   * @default 500
   */
  delay?: number;
  /**
   * Only pages hit within this long before their invalidation are warmed, ms.
   * @default 600000 (10 min)
   */
  hitWithin?: number;
}

/**
 * `edge`: which edge caches to keep in step with the store, and how.
 *
 * @publicApi
 */
export interface CachePageEdgeOptions {
  /** The edges to purge: `new VarnishPurger(…)`, `new FastlyPurger(…)`, `new CloudflarePurger(…)`, or your own `EdgePurger`. */
  purgers: EdgePurger[];
  /**
   * How long an edge may keep a shared cached page, ms (sent in seconds, to the edge only;
   * browsers keep getting `cacheControl`). A purge ends it sooner.
   * @default 86400000 (1 day)
   */
  ttl?: number;
  /**
   * `true`: a commit (and `invalidate()`, `invalidateAll()`, `invalidateRoute()`) resolves only once
   * every purger acknowledged its first purge, or `purgeTimeout` passed, so that its answer means
   * the edge forgot. For an edge nearby (Varnish); a CDN's API may take seconds.
   * @default false
   */
  waitForPurge?: boolean;
  /**
   * With `waitForPurge`, the longest a write waits for the purge, ms; past it the write goes on,
   * the failure is logged and the purge keeps being retried.
   * @default 2000
   */
  purgeTimeout?: number;
  /**
   * Every purge is sent again this long after it was acknowledged, ms, for responses that were
   * on their way to the edge at the commit (and CDNs' shield races). `0`: never.
   * @default 5000
   */
  repurgeAfter?: number;
}
