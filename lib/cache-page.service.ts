import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PageStore } from './store/page-store.js';
import { FastHitEvents, type FastHit } from './http/fast-hit-events.js';
import { AppRoutes } from './http/app-routes.js';
import type { ControllerClass, RouteHandlerName } from './http/page-route.js';

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
    private readonly appRoutes: AppRoutes,
  ) {}

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
    await this.store.invalidate(typeof paths === 'string' ? [paths] : paths);
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

  /** Stops serving every cached page, with one write. Never calls the store's `clear()`. */
  async invalidateAll(): Promise<void> {
    await this.store.invalidateAll();
  }

  /** Waits (within the store deadline) for the store's first check, so the first requests can hit. */
  async onModuleInit(): Promise<void> {
    await this.store.ready();
  }

  onModuleDestroy(): void {
    this.store.dispose();
  }
}
