import { Injectable } from '@nestjs/common';
import { routeInvalidatedOftenMessage } from '../cache-page.messages.js';
import { PageStore } from '../store/page-store.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import { InvalidationEvents } from './invalidation-events.js';
import type { InvalidationEvent } from './invalidation-record.js';

/**
 * What the cache did for one route since the app started.
 *
 * @publicApi
 */
export interface RouteStats {
  /** Requests answered from the cache (before the framework or after it). */
  readonly hits: number;
  /** Requests whose handler rendered the page for the cache. */
  readonly misses: number;
  /** Misses whose page was stored. */
  readonly stored: number;
  /** Requests answered with the page one change behind (`X-Cache: STALE`, grace). */
  readonly stale: number;
  /** Pages rendered again by warm-up (`warmUp`, `CachePageService.warm()`) and stored. */
  readonly warmed: number;
  /** Invalidations of this route's stored pages (each page's path once per invalidation). */
  readonly invalidations: number;
  /** Requests that went around the cache, by reason (`credentials`, `ignored-path`, `store-down`…). */
  readonly bypasses: Readonly<Record<string, number>>;
  /** Misses whose page was not stored, by reason (`personal`, `set-cookie`, `status`, `stream`…). */
  readonly notStored: Readonly<Record<string, number>>;
  /**
   * `dependencies: 'auto'` routes: the entity classes their stored pages read, the dependency
   * keys of the last one stored, and how many fell back to whole classes (past the cap). A class
   * written often that every route reads makes auto mode invalidate like every-page mode.
   */
  readonly dependencies?: {
    readonly classes: readonly string[];
    readonly keys: number;
    readonly coarse: number;
  };
}

/** What a stored page of an auto-mode route depended on, for `stats()`. */
export interface StoredDependencies {
  readonly keys: readonly string[];
  readonly classes: readonly string[];
  readonly coarse: boolean;
}

/**
 * What `CachePageService.stats()` returns: counters since the app started, per route pattern
 * (`'GET /posts/:slug'`, as the router matched it, prefix included) and per entity class.
 *
 * @publicApi
 */
export interface CachePageStats {
  readonly routes: Readonly<Record<string, RouteStats>>;
  /**
   * Per entity class: the committed transactions that invalidated its pages, and of those the
   * ones that invalidated every page instead, by reason (an unloaded read, a failing
   * `dependentPaths()`, `invalidateAllOnChange`).
   */
  readonly entities: Readonly<
    Record<string, { readonly invalidations: number; readonly everyPage: Readonly<Record<string, number>> }>
  >;
  readonly store: {
    /** Store calls that failed or timed out. */
    readonly errors: number;
    /** The store is not answering now (the circuit is open). */
    readonly down: boolean;
    /** Epoch keys whose invalidation is held for a retry (their pages are served uncached meanwhile). */
    readonly heldInvalidations: number;
  };
}

/** Requests without a known route (a fast hit of a page stored before routes were recorded). */
const UNKNOWN_ROUTE = '(unknown route)';

/** One route's counters: plain fields, so a hit costs one increment. */
export class RouteCounters {
  hits = 0;
  misses = 0;
  stored = 0;
  stale = 0;
  warmed = 0;
  invalidations = 0;
  readonly bypasses: Record<string, number> = {};
  readonly notStored: Record<string, number> = {};
  dependencies: { classes: Set<string>; keys: number; coarse: number } | undefined;

  constructor(
    /** The route pattern as the router matched it, or `UNKNOWN_ROUTE`. */
    readonly pattern: string = UNKNOWN_ROUTE,
    private readonly remember: (epochKey: string, counters: RouteCounters) => void = () => undefined,
  ) {}

  /** A miss of this route stored its page under this epoch key (and these dependency keys, in auto mode). */
  storedPage(epochKey: string, dependencies?: StoredDependencies): void {
    this.stored += 1;
    this.remember(epochKey, this);
    if (!dependencies) return;
    this.dependencies ??= { classes: new Set(), keys: 0, coarse: 0 };
    for (const entity of dependencies.classes) this.dependencies.classes.add(entity);
    this.dependencies.keys = dependencies.keys.length;
    if (dependencies.coarse) this.dependencies.coarse += 1;
    for (const key of dependencies.keys) this.remember(key, this);
  }

  bypass(reason: string): void {
    this.bypasses[reason] = (this.bypasses[reason] ?? 0) + 1;
  }

  notStore(reason: string): void {
    this.notStored[reason] = (this.notStored[reason] ?? 0) + 1;
  }
}

/** What every dependency key has after the key prefix (`DependencyKeys`). */
const DEPENDENCY_KEY_MARK = 'dep:';

/** Pages whose route is remembered, so their invalidations count against it; the oldest go first. */
const REMEMBERED_PAGES = 10_000;
/** A route is warned about once its pages were invalidated this often and more often than they were served. */
const WARN_AFTER_INVALIDATIONS = 20;

/** The counters behind `CachePageService.stats()`. */
@Injectable()
export class PageStats {
  private readonly routes = new Map<string, RouteCounters>();
  /** Epoch keys of stored pages (paths, and dependency keys in auto mode) and the routes they hold pages of. */
  private readonly pages = new Map<string, Set<RouteCounters>>();
  private readonly warnings = new ThrottledLogger(5 * 60_000);
  private readonly entities = new Map<string, { invalidations: number; everyPage: Record<string, number> }>();

  constructor(events: InvalidationEvents, store: PageStore) {
    events.subscribe((event) => this.countInvalidation(event));
    store.onRenewed((keys) => this.countRenewed(keys));
  }

  /** The counters of a route pattern as the router matched it (`/posts/:slug`). */
  route(pattern: string | undefined): RouteCounters {
    const key = pattern ?? UNKNOWN_ROUTE;
    let counters = this.routes.get(key);
    if (!counters) {
      counters = new RouteCounters(key, (epochKey, route) => this.rememberPage(epochKey, route));
      this.routes.set(key, counters);
    }
    return counters;
  }

  /** Each route pattern as the router matched it (`/posts/:slug`, `undefined` when unknown) with its counters. */
  forEachRoute(visit: (pattern: string | undefined, counters: RouteCounters) => void): void {
    for (const [pattern, counters] of this.routes)
      visit(pattern === UNKNOWN_ROUTE ? undefined : pattern, counters);
  }

  /** Each entity class with its invalidations and every-page fallbacks by cause. */
  forEachEntity(
    visit: (entity: string, invalidations: number, everyPage: Readonly<Record<string, number>>) => void,
  ): void {
    for (const [entity, counts] of this.entities) visit(entity, counts.invalidations, counts.everyPage);
  }

  /** A copy of every counter, with the store's state. */
  snapshot(store: CachePageStats['store']): CachePageStats {
    const routes: Record<string, RouteStats> = {};
    for (const [pattern, counters] of this.routes) {
      routes[pattern === UNKNOWN_ROUTE ? pattern : `GET ${pattern}`] = {
        hits: counters.hits,
        misses: counters.misses,
        stored: counters.stored,
        stale: counters.stale,
        warmed: counters.warmed,
        invalidations: counters.invalidations,
        bypasses: { ...counters.bypasses },
        notStored: { ...counters.notStored },
        ...(counters.dependencies && {
          dependencies: {
            classes: [...counters.dependencies.classes].sort(),
            keys: counters.dependencies.keys,
            coarse: counters.dependencies.coarse,
          },
        }),
      };
    }
    const entities: Record<string, { invalidations: number; everyPage: Record<string, number> }> = {};
    for (const [name, counts] of this.entities) {
      entities[name] = { invalidations: counts.invalidations, everyPage: { ...counts.everyPage } };
    }
    return { routes, entities, store: { ...store } };
  }

  private rememberPage(epochKey: string, counters: RouteCounters): void {
    const routes = this.pages.get(epochKey) ?? new Set();
    routes.add(counters);
    this.pages.delete(epochKey);
    this.pages.set(epochKey, routes);
    if (this.pages.size > REMEMBERED_PAGES) this.pages.delete(this.pages.keys().next().value!);
  }

  /** Counts renewed epochs against the routes whose pages they held; warns of routes invalidated more than served. */
  /**
   * A renewed page path counts once for its route; renewed dependency keys (auto mode, many per
   * page, shared by pages) count once per route and renewal, unless a path of it already did.
   */
  private countRenewed(keys: readonly string[]): void {
    const counted = new Set<RouteCounters>();
    const byDependency = new Set<RouteCounters>();
    for (const key of keys) {
      const routes = this.pages.get(key);
      if (!routes) continue;
      const dependency = key.includes(DEPENDENCY_KEY_MARK);
      for (const counters of routes) {
        if (dependency) byDependency.add(counters);
        else {
          counted.add(counters);
          this.countOne(counters);
        }
      }
    }
    for (const counters of byDependency) if (!counted.has(counters)) this.countOne(counters);
  }

  private countOne(counters: RouteCounters): void {
    counters.invalidations += 1;
    if (counters.invalidations >= WARN_AFTER_INVALIDATIONS && counters.invalidations > counters.hits) {
      this.warnings.warnEvery(counters.pattern, () =>
        routeInvalidatedOftenMessage(`GET ${counters.pattern}`, counters.invalidations, counters.hits),
      );
    }
  }

  private countInvalidation({ records }: InvalidationEvent): void {
    const seen = new Set<string>();
    for (const { entity, paths, cause } of records) {
      if (entity === undefined) continue;
      let counts = this.entities.get(entity);
      if (!counts) this.entities.set(entity, (counts = { invalidations: 0, everyPage: {} }));
      if (!seen.has(entity)) counts.invalidations += 1;
      seen.add(entity);
      if (paths === 'all' && cause !== undefined)
        counts.everyPage[cause] = (counts.everyPage[cause] ?? 0) + 1;
    }
  }
}
