import type { AbstractHttpAdapter } from '@nestjs/core';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { staleIfErrorMessage, warmUpFailedMessage } from '../cache-page.messages.js';
import type { EdgeCaches } from '../edge/edge-caches.js';
import type { PageFragments } from '../fragments/page-fragments.js';
import type { ReadYourWrites } from '../grace/read-your-writes.js';
import type { CachedPage, PageLookup, PageStore } from '../store/page-store.js';
import { thenMaybe, type MaybePromise } from '../utils/maybe-promise.js';
import { ThrottledLogger } from '../utils/throttled-logger.js';
import { isWarmRequest, requestPage, type AppAddress } from '../warm-up/warm-request.js';
import type { WarmUp } from '../warm-up/warm-up.js';
import { graceUse, isServerError } from './grace-use.js';
import type { Exchange } from './http-exchange.js';
import type { InFlightRenders } from './in-flight-renders.js';
import { replayHit } from './response-replay.js';

/** The interceptor's render of the page (or its join of a render running for it). */
export type RenderPage = () => Observable<unknown> | Promise<Observable<unknown>>;

/** The module's parts grace uses, as the interceptor has them (each may be absent). */
export interface GraceParts {
  readonly adapter: () => AbstractHttpAdapter;
  readonly fragments: () => PageFragments | undefined;
  readonly edge: () => EdgeCaches | undefined;
  readonly writes: () => ReadYourWrites | undefined;
  readonly warmUp: () => WarmUp | undefined;
}

/**
 * Grace at the interceptor, for a request whose page is not current: within
 * `staleWhileRevalidate`, the page one change behind (`X-Cache: STALE`) while one refresh runs
 * (claimed across instances, sent as a request of the app to itself, or this request's own render
 * when it cannot be); within `staleIfError`, that page instead of a server error of this
 * request's render; otherwise the render, as without grace. Never for the visitor who wrote.
 */
export class StaleAnswers {
  private readonly log = new ThrottledLogger();

  constructor(
    private readonly store: PageStore,
    private readonly renders: InFlightRenders,
    private readonly parts: GraceParts,
  ) {}

  /** Answers a lookup without a current page, rendering with `render` where grace gives no page. */
  answer(
    exchange: Exchange,
    lookup: PageLookup,
    render: RenderPage,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    if (!exchange.policy.grace) return render();
    // The writer sees its change; a warm-up or refresh request renders (it is the refresh).
    const warming = isWarmRequest(exchange.request.headers);
    const wrote = this.parts.writes()?.wroteRecently(exchange.request.headers) ?? false;
    const grace = warming ? undefined : graceUse(exchange.policy.grace, lookup.stale, wrote);
    if (!grace) return render();
    const fallback = grace.ifError ? grace.page : undefined;
    if (grace.refreshWindowMs === 0) return this.withFallback(exchange, render, fallback);
    const address = this.refreshAddress(exchange, lookup);
    const head = this.parts.adapter().getRequestMethod(exchange.request) !== 'GET';
    // A HEAD renders no page to store: it starts a refresh only where one can run in the background.
    if ((head && !address) || this.renders.running(lookup.storageKey))
      return this.serve(exchange, grace.page);
    // One refresh across instances; the others serve the stale page until it is stored.
    return this.store.claimRefresh(lookup, grace.refreshWindowMs).then((claimed) => {
      if (!claimed) return this.serve(exchange, grace.page);
      if (address) {
        this.refreshInBackground(exchange, address);
        return this.serve(exchange, grace.page);
      }
      return this.withFallback(exchange, render, fallback);
    });
  }

  /** Answers with the page one change behind (`X-Cache: STALE`); no edge keeps it. */
  private serve(exchange: Exchange, page: CachedPage): MaybePromise<Observable<unknown>> {
    exchange.counters.stale += 1;
    const edge = this.parts.edge()?.headers?.uncacheable;
    const { adapter, fragments } = this.parts;
    return replayHit(adapter(), this.store, exchange, page, fragments(), edge, 'STALE');
  }

  /** This request's render, with `fallback` served instead of a server error (logged). */
  private withFallback(
    exchange: Exchange,
    render: RenderPage,
    fallback: CachedPage | undefined,
  ): Observable<unknown> | Promise<Observable<unknown>> {
    if (!fallback) return render();
    return thenMaybe(render(), (rendered) =>
      rendered.pipe(
        catchError((error: unknown) => {
          if (!isServerError(error)) return throwError(() => error);
          const route = exchange.policy.route;
          this.log.error(
            `stale-if-error ${route}`,
            (suppressed) => staleIfErrorMessage(route, suppressed),
            error,
          );
          return from(Promise.resolve(this.serve(exchange, fallback))).pipe(mergeMap((stale) => stale));
        }),
      ),
    );
  }

  /**
   * Where the refresh of a stale page can run as a request of the app to itself (its middleware,
   * guards and this cache, as an anonymous visitor), so this visitor gets the stale page at once;
   * `undefined` when it cannot (the app does not listen, or the page is a `Vary` variant the
   * anonymous request would not render): a GET then renders it itself.
   */
  private refreshAddress(exchange: Exchange, lookup: PageLookup): AppAddress | undefined {
    if (lookup.storageKey !== exchange.key.entry) return undefined;
    return this.parts.warmUp()?.address();
  }

  /** Starts the refresh of a stale page as a GET of the app to itself, at `address`. */
  private refreshInBackground(exchange: Exchange, address: AppAddress): void {
    requestPage(address, exchange.origin, exchange.url).catch((error: unknown) =>
      this.log.error(
        `refresh ${exchange.policy.route}`,
        (suppressed) => warmUpFailedMessage(exchange.url, suppressed),
        error,
      ),
    );
  }
}
