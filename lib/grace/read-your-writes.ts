import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { Observable } from 'rxjs';
import { RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { PageStore } from '../store/page-store.js';
import { longestGrace } from './grace-windows.js';

/** The cookie a write's response carries when it invalidated pages: no stale page for its visitor. */
export const WROTE_COOKIE = 'cache-page-wrote';

/** The write request an invalidation runs in: marking it gives its response the cookie. */
interface WriteScope {
  mark(): void;
}

const writeScopes = new AsyncLocalStorage<WriteScope>();

/**
 * Read-your-own-writes for grace. A request that is not a GET or HEAD runs in a scope; when an
 * invalidation succeeds inside it (a MikroORM commit in its handler, a `CachePageService` call),
 * its response gets a short-lived cookie (as long as the longest grace of any route), and a
 * request that carries it is never answered with a stale page: the visitor who changed
 * something sees the change, on whichever instance their next request lands. Off (no scope, no
 * cookie) when no route has a grace.
 */
@Injectable()
export class ReadYourWrites implements OnModuleInit {
  private cookieMs = 0;

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
    private readonly modules: ModulesContainer,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    this.cookieMs = longestGrace(this.options, this.modules);
    if (this.cookieMs > 0) this.store.onRenewed(() => writeScopes.getStore()?.mark());
  }

  /** Whether any route has a grace (writes are then watched). */
  get active(): boolean {
    return this.cookieMs > 0;
  }

  /** Whether the request comes from a visitor whose recent write invalidated pages. */
  wroteRecently(headers: IncomingHttpHeaders | undefined): boolean {
    return headers?.cookie?.includes(`${WROTE_COOKIE}=`) === true;
  }

  /** Runs a write request's handling (`handle()`), so that an invalidation in it marks its response. */
  watch(response: object, encrypted: boolean, handle: () => Observable<unknown>): Observable<unknown> {
    let marked = false;
    const scope: WriteScope = {
      mark: () => {
        const raw =
          (response as { raw?: { headersSent?: boolean } }).raw ?? (response as { headersSent?: boolean });
        if (marked || raw.headersSent) return;
        marked = true;
        this.adapterHost.httpAdapter.appendHeader(response, 'set-cookie', this.cookie(encrypted));
      },
    };
    return new Observable((subscriber) => writeScopes.run(scope, () => handle().subscribe(subscriber)));
  }

  private cookie(encrypted: boolean): string {
    const seconds = Math.ceil(this.cookieMs / 1_000);
    return `${WROTE_COOKIE}=1; Max-Age=${seconds}; Path=/; HttpOnly; SameSite=Lax${encrypted ? '; Secure' : ''}`;
  }
}
