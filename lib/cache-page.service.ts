import { warmOriginMessage, warmPathsMessage } from './cache-page.messages.js';
import { WarmUp } from './warm-up/warm-up.js';
import type { WarmResult } from './warm-up/warm-paths.js';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { FastHitEvents, type FastHit } from './http/fast-hit-events.js';
import type { CachePageOrm } from './interfaces/cache-page-module-options.interface.js';
import { InvalidationEvents } from './observation/invalidation-events.js';
import { PageStats, type CachePageStats } from './observation/page-stats.js';
import { invalidationEvent, type InvalidationEvent } from './observation/invalidation-record.js';
import { CachePageOrmRegistrar } from './orm/cache-page-orm.registrar.js';
import { PageStore } from './store/page-store.js';
import { AppRoutes } from './routes/app-routes.js';
import type { ControllerClass, RouteHandlerName } from './routes/page-route.js';

/**
 * Invalidates cached pages by hand, for writes the ORM cannot see (`nativeUpdate`,
 * `nativeDelete`, the query builder, raw SQL, other services).
 *
 * @publicApi
 */
@Injectable()
export class CachePageService implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly store: PageStore,
    private readonly fastHits: FastHitEvents,
    private readonly invalidations: InvalidationEvents,
    private readonly orm: CachePageOrmRegistrar,
    private readonly appRoutes: AppRoutes,
    private readonly pageStats: PageStats,
    private readonly warmUp: WarmUp,
  ) {}

  /**
   * What the cache did since the app started, per route pattern (`'GET /posts/:slug'`: hits,
   * misses, stored, bypasses and pages not stored by reason) and per entity class
   * (invalidations, and those that invalidated every page by cause), and the store's state.
   * Synchronous and cheap: counters that are always on.
   *
   * For example: `const { hits, misses } = cachePage.stats().routes['GET /posts/:slug'] ?? {}`
   */
  stats(): CachePageStats {
    return this.pageStats.snapshot(this.store.status());
  }

  /**
   * Calls `listener` after each hit answered before the framework (`fastPath`), which request
   * logging middleware does not see: log or count them here. Returns a function that unsubscribes.
   * A listener that throws is logged; the response is not affected.
   *
   * For example: `cachePage.onFastHit(({ request }) => metrics.increment('page_hit', request.url))`
   */
  onFastHit(listener: (hit: FastHit) => void): () => void {
    return this.fastHits.subscribe(listener);
  }

  /**
   * Stops serving every cached variant of these paths: GET and HEAD, every query string, every
   * spelling (trailing slash, letter case, percent-encoding). Absolute URLs are reduced to their
   * path. Resolves once the store has recorded it; if the store fails, this process stops serving
   * those pages at once and retries in the background (it never rejects because of the store).
   *
   * For example: `await cachePage.invalidate(['/', `/posts/${post.slug}`])`
   *
   * @throws TypeError if a value is not a path (a string starting with `/`, or an absolute URL)
   */
  async invalidate(paths: string | Iterable<string>): Promise<void> {
    const list = typeof paths === 'string' ? [paths] : isIterable(paths) ? [...paths] : paths;
    await this.store.invalidate(list);
    this.invalidations.emit([{ trigger: 'manual', paths: [...list] }]);
  }

  /**
   * Invalidates every path this app serves a GET route at (each URI version, each path of a path
   * array), params filled in: `invalidate(pagePaths(Controller, method, params))`, with this
   * app's routes.
   *
   * For example: `await cachePage.invalidateRoute(PostsController, 'show', { slug: 'hello' })`
   *
   * @throws Error (`CachePageModule: …`) for an unknown or non-GET route, a missing or unknown param
   */
  async invalidateRoute<C extends object, M extends RouteHandlerName<C>>(
    controller: ControllerClass<C>,
    method: M,
    params?: object,
  ): Promise<void> {
    await this.invalidate(this.appRoutes.routes.paths(controller, method, params, 'invalidateRoute'));
  }

  /**
   * Renders and stores these pages now, through the app's own address (its middleware, guards
   * and the cache, as an anonymous visitor): for deploy scripts, or after a bulk import. Paths
   * are as visitors request them (global prefix included, a query string allowed). Pages are
   * keyed by host: `origin` names the one to warm them under (`'https://example.com'`); by
   * default, the host of the page this process served last, else the app's own address.
   * Resolves with one result per path (`stored`, `skipped` with why, `failed` with why), never
   * rejects for one path; at most `warmUp.concurrency` requests at once.
   *
   * For example: `await cachePage.warm(['/', '/posts/hello'], { origin: 'https://example.com' })`
   *
   * @throws TypeError for a value that is not a list of paths, or a bad origin
   * @throws Error (`CachePageModule: …`) before the app listens (`app.listen()`)
   */
  async warm(paths: Iterable<string>, options: { origin?: string } = {}): Promise<WarmResult[]> {
    const list = isIterable(paths) ? [...paths] : undefined;
    if (!list || !list.every((path) => typeof path === 'string' && path.startsWith('/'))) {
      throw new TypeError(warmPathsMessage(paths));
    }
    const { origin } = options;
    if (origin !== undefined && !/^https?:\/\/[^/?#\s]+$/.test(origin))
      throw new TypeError(warmOriginMessage(origin));
    return this.warmUp.warm(list, origin);
  }

  /** Stops serving every cached page, with one write. Never calls the store's `clear()`. */
  async invalidateAll(): Promise<void> {
    await this.store.invalidateAll();
    this.invalidations.emit([{ trigger: 'manual', paths: 'all' }]);
  }

  /**
   * Calls `listener` once per committed transaction that invalidated pages, and once per call of
   * `invalidate()` / `invalidateAll()`, with what was invalidated and why (entity, primary key,
   * trigger, paths or every page with the reason). Returns a function that unsubscribes. A
   * listener that throws is logged; the invalidation is not affected.
   *
   * For example: `cachePage.onInvalidation(({ paths, all }) => audit.log(all ? 'every page' : paths))`
   */
  onInvalidation(listener: (event: InvalidationEvent) => void): () => void {
    return this.invalidations.subscribe(listener);
  }

  /**
   * What a write would invalidate, without invalidating anything: runs `work(em)` in a transaction
   * of a fork of the MikroORM `EntityManager` that is always rolled back, and resolves with what
   * its commit would have invalidated. Only the database is rolled back: whatever else `work`
   * does (mails, HTTP calls, writes through another `EntityManager`) happens.
   *
   * For example:
   * `const { paths } = await cachePage.explain(async (em: EntityManager) => { (await em.findOneOrFail(Post, 1)).title = 'New' })`
   *
   * @param options.orm the MikroORM instance (default: the first the module watches, the default context)
   * @throws Error when the module watches no MikroORM instance, or not the one given
   */
  // The app's EntityManager type, which this package cannot name without depending on MikroORM's types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async explain<EM = any>(
    work: (em: EM) => unknown,
    options: { readonly orm?: CachePageOrm } = {},
  ): Promise<InvalidationEvent> {
    return invalidationEvent(await this.orm.explain(work as (em: never) => unknown, options.orm));
  }

  /** Waits (within the store deadline) for the store's first check, so the first requests can hit. */
  async onModuleInit(): Promise<void> {
    await this.store.ready();
  }

  onModuleDestroy(): void {
    this.store.dispose();
  }
}

const isIterable = (value: unknown): value is Iterable<string> =>
  typeof (value as Partial<Iterable<string>> | null)?.[Symbol.iterator] === 'function';
