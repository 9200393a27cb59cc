import { isWarmRequest } from '../warm-up/warm-request.js';
import type { HttpAdapterHost } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { tap, type Observable } from 'rxjs';
import { CACHE_STATUS_HEADER } from '../cache-page.constants.js';
import type { EdgeHeaders } from '../edge/edge-headers.js';
import { pageSurrogateKeys } from '../store/surrogate-keys.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import type { DependencyTracking } from '../dependencies/dependency-tracking.js';
import type { RenderCapture } from '../dependencies/render-capture.js';
import type { CapturedDependencies } from '../dependencies/render-dependencies.js';
import { newPageEntry, type DependencyEpochs } from '../store/page-entry.js';
import type { PageLookup, PageStore } from '../store/page-store.js';
import type { PageFragments } from '../fragments/page-fragments.js';
import type { FastPathPolicy } from './fast-path-policy.js';
import type { Exchange } from './http-exchange.js';
import type { InFlightRenders } from './in-flight-renders.js';
import { fillOnSend, sentTemplateOf } from './fragment-send.js';
import { holdMiss } from './miss-hold.js';
import { keepPrivate, tellCaches } from './cache-control-header.js';
import { headerNames, toRenderedPage } from './page-draft.js';
import { pageVariance } from './page-variance.js';
import { sessionCookiesOf } from './refreshed-cookies.js';
import { RenderObservation, type ObservedReads } from './render-observation.js';
import { captureResponse } from './response-capture.js';
import { isStreamingBody } from './streaming-body.js';

/**
 * Renders the page of a GET miss and stores it. The render is registered for single-flight at
 * once, then the store begins its epochs; the handler runs with its reads of the request
 * observed (they make a page personal or a variant), and the response's final bytes, captured,
 * become the page that is saved and handed to the requests that joined the render.
 */
export class MissRenderer {
  constructor(
    private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
    private readonly httpAdapterHost: HttpAdapterHost,
    private readonly renders: InFlightRenders,
    /** `dependencies: 'auto'`: the capture of a render's MikroORM reads, once the ORM side set it up. */
    private readonly tracking: () => DependencyTracking | undefined,
    /** The app's `@PageFragment()` methods, once the module made them. */
    private readonly fragments: () => PageFragments | undefined,
    private readonly edge: () => EdgeHeaders | undefined,
  ) {}

  /** Lets the handler render the missed page, and stores what it sent. */
  async render(
    { key, policy, request, response, inputs, next, route, counters }: Exchange,
    lookup: PageLookup,
    fastPaths: FastPathPolicy | undefined,
  ): Promise<Observable<unknown>> {
    const render = this.renders.begin(lookup.storageKey, lookup.pathEpoch, lookup.globalEpoch);
    counters.misses += 1;
    const epochs = await this.store.beginRender(key, lookup);
    const autoMode = policy.dependencies === 'auto' ? this.tracking() : undefined;
    const tracking = autoMode?.active ? autoMode : undefined;
    const guard = tracking?.guardKeys() ?? [];
    const started = tracking ? await this.store.beginDependencies(key, guard) : undefined;
    if (!epochs || (tracking && !started)) {
      counters.notStore('store-down');
      render.finish(undefined);
      return next.handle();
    }
    render.runsUnder(epochs[0], epochs[1]);
    const reads: RenderCapture | undefined = tracking?.begin();
    const preexisting = headerNames(response);
    // Set after the names of what middleware set were taken: it is stored and replayed as the route's own.
    const told = tellCaches(this.adapter, response, policy.cacheControl);
    const fast = fastPaths?.fastPageOf(request, response, policy);
    this.adapter.setHeader(response, CACHE_STATUS_HEADER, 'MISS');
    const edge = this.edge();
    // A render may overlap an invalidation whose purge the edge would miss: no edge keeps a miss.
    for (const [name, value] of edge?.uncacheable ?? []) this.adapter.setHeader(response, name, value);
    const raw = response.raw ?? (response as unknown as ServerResponse);
    const fragments = this.fragments();
    const visitor = fragments?.inUse
      ? {
          fragments,
          request,
          response,
          acceptEncoding: request.headers?.['accept-encoding'],
          placeholders: policy.clientFragments,
        }
      : undefined;
    const hold = holdMiss(request, raw, this.options.reloadOnBack, visitor);
    if (visitor) fillOnSend(this.adapter, response, visitor);
    const observation = new RenderObservation(request, response);
    // What the platform reads while writing the response out (express-session checks its
    // session as headers go out) is not the render's doing.
    const capture = captureResponse(raw, (write) => observation.untracked(write));
    let observed: ObservedReads | undefined;
    let abandoned: 'stream' | 'error' | undefined;
    const stopObserving = () => {
      if (observed) return;
      observed = observation.stop();
      if (policy.renders && hasLocals(response)) {
        observed = { ...observed, personal: new Set([...observed.personal, 'cookie']) };
      }
      if (!policy.public && ![...observed.personal].every((input) => inputs.valueOf(input) === '')) {
        keepPrivate(this.adapter, response, told, this.options.noStoreUncached);
      }
    };
    void capture.done.then(async (captured) => {
      stopObserving();
      const rendered = captured
        ? await toRenderedPage(captured, {
            cacheableStatuses: this.options.cacheableStatuses,
            preexisting,
            ttl: policy.ttl,
            reloadOnBack: this.options.reloadOnBack,
            clientFragments: policy.clientFragments,
            sent: sentTemplateOf(response),
            readPersonal: observed !== undefined && observed.personal.size > 0,
            fast,
            route,
            sessionCookies: sessionCookiesOf(request),
            edgeHeaders: edge?.names,
            variance: (vary) => pageVariance(vary, observed, inputs, policy.public),
          })
        : (abandoned ?? 'error');
      if (typeof rendered === 'string') {
        counters.notStore(rendered);
        return render.finish(undefined);
      }
      let dependencies: DependencyEpochs | undefined;
      let read: CapturedDependencies | undefined;
      if (tracking && reads && started) {
        read = tracking.finish(reads);
        if (read.untrackable !== undefined) {
          counters.notStore(read.untrackable);
          return render.finish(undefined);
        }
        const keyEpochs = await this.store.dependencyEpochs(key, read.keys, read.guard, started);
        if (!keyEpochs) {
          counters.notStore('changed-during-render');
          return render.finish(undefined);
        }
        if (read.keys.length > 0) dependencies = { keys: read.keys, epochs: keyEpochs };
      }
      counters.storedPage(key.epoch, read);
      if (isWarmRequest(request.headers)) counters.warmed += 1;
      const { draft, body } = rendered;
      const surrogateKeys = edge && pageSurrogateKeys(key.epoch, this.store.globalKey, dependencies?.keys);
      const entry = newPageEntry(
        draft,
        body.digest,
        body.bytes.length,
        epochs,
        dependencies,
        surrogateKeys,
        policy.warmUp,
      );
      const page = { entry, body };
      render.finish(page);
      void this.store.save(key, page);
    });
    const handled = tracking && reads ? tracking.observe(reads, () => next.handle()) : next.handle();
    return handled.pipe(
      tap({
        next: (value) => {
          stopObserving();
          if (isStreamingBody(value)) {
            abandoned = 'stream';
            capture.abandon();
            hold?.release();
          }
        },
        complete: stopObserving,
        error: () => {
          stopObserving();
          abandoned ??= 'error';
          capture.abandon();
          hold?.release();
        },
      }),
    );
  }

  private get adapter() {
    return this.httpAdapterHost.httpAdapter;
  }
}

/** `res.locals` (Express) or `reply.locals` (@fastify/view) hold values a template will read. */
function hasLocals(response: object): boolean {
  const locals = (response as { locals?: unknown }).locals;
  return typeof locals === 'object' && locals !== null && Object.keys(locals).length > 0;
}
