import { isWarmRequest } from '../warm-up/warm-request.js';
import { WarmUp } from '../warm-up/warm-up.js';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { LOGGER_CONTEXT, RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import {
  fastPathOffMessage,
  fastPathOnMessage,
  fastPathStackChangedMessage,
} from '../cache-page.messages.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { EdgeCaches } from '../edge/edge-caches.js';
import { isFastFor } from '../store/page-entry.js';
import { PageStore } from '../store/page-store.js';
import { thenMaybe, type MaybePromise } from '../utils/maybe-promise.js';
import { CachePageInterceptor } from './cache-page.interceptor.js';
import { negotiateEncoding } from './content-encoding.js';
import { PageStats } from '../observation/page-stats.js';
import { FastHitEvents } from './fast-hit-events.js';
import { sendFastHit } from './fast-response.js';
import { HANDED_LOOKUP, type HandedLookup } from './handed-lookup.js';
import { IgnoreRules } from './ignore-rules.js';
import { bypassesCache } from './request-eligibility.js';
import { MiddlewareInspector } from './middleware/middleware-inspector.js';
import { HeaderInputs } from './request-inputs.js';
import { requestOrigin, RequestPageKeys } from './request-page-key.js';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * `fastPath`: answers hits in the HTTP server's own `request` listener, before Express or Fastify
 * route the request, like a reverse proxy in front of the app would. Only pages whose entry says
 * so are answered there (their route has no guards and no other interceptors, and their render
 * ran only middleware that is safe to skip: `fast-path-policy.ts`); anything else, and every
 * miss, goes on to the framework as before, with the lookup already made. Middleware added after
 * startup turns it off: the entries' verdicts were made without it.
 */
@Injectable()
export class FastPath implements OnApplicationBootstrap {
  private readonly keys: RequestPageKeys;
  private on = true;
  private watched: readonly unknown[] | undefined;
  private watchedLength = 0;

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
    private readonly adapterHost: HttpAdapterHost,
    private readonly interceptor: CachePageInterceptor,
    private readonly middleware: MiddlewareInspector,
    private readonly fastHits: FastHitEvents,
    private readonly stats: PageStats,
    @Optional() private readonly edge?: EdgeCaches,
    @Optional() private readonly warmUp?: WarmUp,
  ) {
    this.keys = new RequestPageKeys(
      options.keyPrefix,
      new IgnoreRules(options.ignorePaths),
      store.paths,
      store.keyBuckets,
    );
  }

  onApplicationBootstrap(): void {
    const mode = this.options.fastPath;
    if (mode === false || !this.options.enabled) return;
    const logger = new Logger(LOGGER_CONTEXT);
    const overridden = this.interceptor.overriddenHooks();
    if (overridden.length > 0) return logger.warn(fastPathOffMessage(overridden));
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    const framework = server?.listeners('request') as RequestListener[] | undefined;
    if (!server || !framework || framework.length === 0) return;
    this.watched = this.middleware.watchedList();
    this.watchedLength = this.watched?.length ?? 0;
    server.removeAllListeners('request');
    const pass = (request: IncomingMessage, response: ServerResponse) => {
      for (const listener of framework) listener.call(server, request, response);
    };
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      let served: MaybePromise<boolean>;
      try {
        served = this.serve(request, response);
      } catch {
        return pass(request, response);
      }
      if (served === true) return;
      if (served === false) return pass(request, response);
      served.then(
        (done) => done || pass(request, response),
        () => pass(request, response),
      );
    });
    logger.log(fastPathOnMessage(mode, this.middleware.summary()));
  }

  /** Answers a hit of a fast route; `false` when the framework must handle the request. */
  private serve(request: IncomingMessage, response: ServerResponse): MaybePromise<boolean> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (this.watched !== undefined && this.watched.length !== this.watchedLength) this.stackChanged();
    if (!this.on) return false;
    if (bypassesCache(request.headers, this.options.bypassCookies)) return false;
    const encrypted = Boolean((request.socket as { encrypted?: boolean } | undefined)?.encrypted);
    const origin = requestOrigin(request.headers, encrypted);
    const key = this.keys.of(origin, request.url ?? '/');
    if (key.ignored) return false;
    const inputs = new HeaderInputs(request.headers, this.options.languages);
    return thenMaybe(this.store.lookup(key, inputs), (lookup) => {
      const page = lookup?.page;
      if (!page || !isFastFor(page.entry, request.headers.cookie !== undefined)) {
        (request as unknown as Record<symbol, HandedLookup>)[HANDED_LOOKUP] = { entry: key.entry, lookup };
        return false;
      }
      const encoding = negotiateEncoding(request.headers['accept-encoding'], page.body.bytes.length);
      this.stats.route(page.entry.r).hits += 1;
      if (page.entry.w && this.warmUp?.on && !isWarmRequest(request.headers)) {
        this.warmUp.pages.served(key.entry, origin, request.url ?? '/', key.epoch, page.entry.k);
      }
      if (!encoding) {
        sendFastHit(request, response, page, page.body.bytes, undefined, this.edge?.headers);
        if (this.fastHits.observed) this.fastHits.emit(request, response);
        return true;
      }
      return thenMaybe(this.store.encodedBody(page.body, encoding), (bytes) => {
        sendFastHit(request, response, page, bytes, encoding, this.edge?.headers);
        if (this.fastHits.observed) this.fastHits.emit(request, response);
        return true;
      });
    });
  }

  private stackChanged(): void {
    const added = this.watched!.slice(this.watchedLength);
    this.watched = undefined;
    this.on = false;
    const names = added.map((layer) => (layer as { name?: string } | undefined)?.name ?? '').filter(Boolean);
    new Logger(LOGGER_CONTEXT).warn(fastPathStackChangedMessage(names));
  }
}
