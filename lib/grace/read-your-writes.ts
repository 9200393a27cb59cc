import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { defer, finalize, type Observable } from 'rxjs';
import { RESOLVED_CACHE_PAGE_OPTIONS } from '../cache-page.internal-constants.js';
import type { ResolvedCachePageOptions } from '../cache-page.options.js';
import { PageStore } from '../store/page-store.js';
import { longestGrace } from './grace-windows.js';

/** The cookie a write's response carries when it invalidated pages: no stale page for its visitor. */
export const WROTE_COOKIE = 'cache-page-wrote';

/** A write request in flight: marking it gives its response the cookie. */
interface WriteInFlight {
  mark(): void;
}

/**
 * Read-your-own-writes for grace. When an invalidation succeeds (a MikroORM commit, a
 * `CachePageService` call), every request that is not a GET or HEAD and is in flight in this
 * process gets a short-lived cookie on its response (as long as the longest grace of any route),
 * and a request that carries it is never answered with a stale page: the visitor who changed
 * something sees the change, on whichever instance their next request lands. A concurrent write
 * that did not cause the invalidation gets the cookie too (its visitor only loses grace for a
 * few seconds); telling them apart would take an `AsyncLocalStorage` scope per write, which on
 * Node 20 makes every request of the process pay for async hooks. Off when no route has a grace.
 */
@Injectable()
export class ReadYourWrites implements OnModuleInit {
  private cookieMs = 0;
  private readonly writes = new Set<WriteInFlight>();

  constructor(
    @Inject(RESOLVED_CACHE_PAGE_OPTIONS) private readonly options: ResolvedCachePageOptions,
    private readonly store: PageStore,
    private readonly modules: ModulesContainer,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    this.cookieMs = longestGrace(this.options, this.modules);
    if (this.cookieMs > 0) this.store.onRenewed(() => this.writes.forEach((write) => write.mark()));
  }

  /** Whether any route has a grace (writes are then watched). */
  get active(): boolean {
    return this.cookieMs > 0;
  }

  /** Whether the request comes from a visitor whose recent write invalidated pages. */
  wroteRecently(headers: IncomingHttpHeaders | undefined): boolean {
    return headers?.cookie?.includes(`${WROTE_COOKIE}=`) === true;
  }

  /** Runs a write request's handling (`handle()`), so that an invalidation meanwhile marks its response. */
  watch(response: object, encrypted: boolean, handle: () => Observable<unknown>): Observable<unknown> {
    let marked = false;
    const write: WriteInFlight = {
      mark: () => {
        const raw =
          (response as { raw?: { headersSent?: boolean } }).raw ?? (response as { headersSent?: boolean });
        if (marked || raw.headersSent) return;
        marked = true;
        this.adapterHost.httpAdapter.appendHeader(response, 'set-cookie', this.cookie(encrypted));
      },
    };
    return defer(() => {
      this.writes.add(write);
      return handle().pipe(finalize(() => this.writes.delete(write)));
    });
  }

  private cookie(encrypted: boolean): string {
    const seconds = Math.ceil(this.cookieMs / 1_000);
    return `${WROTE_COOKIE}=1; Max-Age=${seconds}; Path=/; HttpOnly; SameSite=Lax${encrypted ? '; Secure' : ''}`;
  }
}
